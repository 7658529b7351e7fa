/**
 * src/dvc and the service's pull-only copy (service-repo/src/dvc-pull) read the same DVC 3 files.
 * Both packages test their reader against the same examples, test/fixtures/dvc/ here and in the
 * service (byte-identical copies, with the values DVC gives for them in expected.json), so the
 * two cannot drift apart. Pointer files track single files in both (a folder output, such as the
 * pipeline's bundle, lives in dvc.lock and its .dir object, src/dvc/tree.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBytes, objectPath, parseDvcConfig, parsePointer, resolveRemote } from '../src/dvc/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/dvc/', import.meta.url));

interface Expected {
  readonly pointers: Record<string, unknown>;
  readonly refused: Record<string, string>;
  readonly md5: Record<string, string>;
  readonly objectPaths: Record<string, string>;
  readonly remote: { readonly name: string; readonly url: string; readonly relativeTo: string };
}

const expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
const fixture = (name: string): Promise<string> => readFile(join(FIXTURES, name), 'utf8');

describe('DVC 3 formats (test/fixtures/dvc, shared with the service)', () => {
  it('reads the pointer files as DVC writes them', async () => {
    for (const [name, outs] of Object.entries(expected.pointers)) expect(parsePointer(await fixture(name), name)).toEqual(outs);
  });

  it('refuses a directory output in a pointer file, naming file, line and field', async () => {
    for (const [name, message] of Object.entries(expected.refused)) {
      const text = await fixture(name);
      expect(() => parsePointer(text, name)).toThrow(message);
    }
  });

  it('computes md5 as DVC does, over the raw bytes', () => {
    for (const [text, md5] of Object.entries(expected.md5)) expect(hashBytes(Buffer.from(text)).md5).toBe(md5);
    expect(hashBytes(Buffer.from('hello\r\n')).md5).not.toBe(expected.md5['hello\n']);
  });

  it('lays objects out as files/md5/<2 hex>/<30 hex>', () => {
    for (const [md5, path] of Object.entries(expected.objectPaths)) expect(objectPath(md5)).toBe(path);
  });

  it('resolves the fixture config\'s default remote relative to .dvc/', async () => {
    const config = parseDvcConfig(await fixture('config'), 'config');
    const remote = resolveRemote(config, '/repo');
    expect(remote.name).toBe(expected.remote.name);
    expect(remote.url).toBe(join('/repo', expected.remote.relativeTo, expected.remote.url));
  });

  const service = fileURLToPath(new URL('../../service-repo/test/fixtures/dvc/', import.meta.url));
  (existsSync(service) ? it : it.skip)('holds the same bytes as the service\'s copy (skipped outside the repository)', async () => {
    const names = (await readdir(FIXTURES)).sort();
    expect((await readdir(service)).sort()).toEqual(names);
    for (const name of names) expect(await readFile(join(service, name), 'utf8')).toBe(await fixture(name));
  });
});
