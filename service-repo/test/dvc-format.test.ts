/**
 * src/dvc-pull is the service's own copy of a DVC 3 reader (ARCHITECTURE.md, "dvc-pull"). These
 * tests pin it to DVC's formats with the examples in test/fixtures/dvc/, the same examples and
 * values that the modeling repository's DVC tests assert, so the two readers cannot drift apart.
 */
import { describe, expect, it } from '@jest/globals';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CorruptObjectError, modelPull, objectPath, parsePointer } from '../src/dvc-pull/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/dvc/', import.meta.url));

interface Expected {
  readonly pointers: Record<string, unknown>;
  readonly refused: Record<string, string>;
  readonly md5: Record<string, string>;
  readonly objectPaths: Record<string, string>;
}

const expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
const fixture = (name: string): Promise<string> => readFile(join(FIXTURES, name), 'utf8');
const quiet = (): void => undefined;

/** A checkout with the fixture .dvc/config (remote `../remote`, relative to .dvc/) and `remote/` holding `objects`. */
async function checkout(objects: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dvc-format-'));
  await mkdir(join(root, '.dvc'));
  await mkdir(join(root, 'models'));
  await copyFile(join(FIXTURES, 'config'), join(root, '.dvc', 'config'));
  for (const [md5, text] of Object.entries(objects)) {
    const file = join(root, 'remote', objectPath(md5));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return root;
}

describe('DVC 3 formats (test/fixtures/dvc)', () => {
  it('reads the pointer files as DVC writes them', async () => {
    for (const [name, outs] of Object.entries(expected.pointers)) expect(parsePointer(await fixture(name), name)).toEqual(outs);
  });

  it('refuses a directory output, naming file, line and field', async () => {
    for (const [name, message] of Object.entries(expected.refused)) {
      const text = await fixture(name);
      expect(() => parsePointer(text, name)).toThrow(message);
    }
  });

  it('lays objects out as files/md5/<2 hex>/<30 hex>', () => {
    for (const [md5, path] of Object.entries(expected.objectPaths)) expect(objectPath(md5)).toBe(path);
  });

  it('pulls from the fixture config\'s remote and checks md5 as DVC computes it (raw bytes)', async () => {
    const texts = Object.entries(expected.md5);
    const root = await checkout(Object.fromEntries(texts.map(([text, md5]) => [md5, text])));
    const pointers = await Promise.all(texts.map(async ([text, md5], i) => {
      const pointer = join(root, 'models', `f${i}.txt.dvc`);
      await writeFile(pointer, `outs:\n- md5: ${md5}\n  size: ${Buffer.byteLength(text)}\n  hash: md5\n  path: f${i}.txt\n`);
      return pointer;
    }));
    await modelPull(root, pointers, quiet, {});
    for (const [i, [text]] of texts.entries()) expect(await readFile(join(root, 'models', `f${i}.txt`), 'utf8')).toBe(text);
  });

  it('refuses bytes whose md5 differs, such as CRLF line endings (DVC 3 does not normalise them)', async () => {
    const md5 = expected.md5['hello\n']!;
    const root = await checkout({ [md5]: 'hello\r\n' });
    await copyFile(join(FIXTURES, 'hello.txt.dvc'), join(root, 'models', 'hello.txt.dvc'));
    await expect(modelPull(root, [], quiet, {})).rejects.toThrow(CorruptObjectError);
  });
});
