import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addToGitignore, gitignoreEntry } from './gitignore.js';
import { hashBytes, hashFile } from './md5.js';
import { formatPointer, parsePointer, PointerError } from './pointer.js';

// A pointer file written by `dvc add model.joblib` with DVC 3 (published in a DVC tutorial).
const DVC_WRITTEN = 'outs:\n- md5: fb5d0044da2b85949f1b5d9dd70d3759\n  size: 241149\n  hash: md5\n  path: model.joblib\n';

describe('pointer files (DVC 3 format)', () => {
  it('writes byte for byte what dvc add writes', () => {
    expect(formatPointer([{ md5: 'fb5d0044da2b85949f1b5d9dd70d3759', size: 241149, path: 'model.joblib' }])).toBe(DVC_WRITTEN);
    expect(formatPointer([{ md5: 'ed63436e8e6465236c63d5bca2317b98', size: 300000, path: 'model.onnx' }])).toBe(
      'outs:\n- md5: ed63436e8e6465236c63d5bca2317b98\n  size: 300000\n  hash: md5\n  path: model.onnx\n',
    );
  });

  it('reads what dvc writes and round-trips it', () => {
    const outs = parsePointer(DVC_WRITTEN, 'model.joblib.dvc');
    expect(outs).toEqual([{ md5: 'fb5d0044da2b85949f1b5d9dd70d3759', size: 241149, path: 'model.joblib' }]);
    expect(formatPointer(outs)).toBe(DVC_WRITTEN);
  });

  it('quotes a path that YAML would otherwise misread', () => {
    const text = formatPointer([{ md5: 'fb5d0044da2b85949f1b5d9dd70d3759', size: 1, path: 'my model: v2.onnx' }]);
    expect(parsePointer(text, 'x.dvc')[0]?.path).toBe('my model: v2.onnx');
  });

  it('names the file, line and field of a bad md5', () => {
    const bad = DVC_WRITTEN.replace('fb5d0044da2b85949f1b5d9dd70d3759', 'not-an-md5');
    expect(() => parsePointer(bad, 'models/model.onnx.dvc')).toThrow(PointerError);
    expect(() => parsePointer(bad, 'models/model.onnx.dvc')).toThrow(/^models\/model\.onnx\.dvc:2: outs\[0\]\.md5: expected 32 lowercase hex digits/);
  });

  it('refuses a missing size, an escaping path, a foreign hash and a directory output', () => {
    expect(() => parsePointer(DVC_WRITTEN.replace('  size: 241149\n', ''), 'a.dvc')).toThrow(/outs\[0\]\.size/);
    expect(() => parsePointer(DVC_WRITTEN.replace('path: model.joblib', 'path: ../x'), 'a.dvc')).toThrow(/a\.dvc:5: outs\[0\]\.path/);
    expect(() => parsePointer(DVC_WRITTEN.replace('hash: md5', 'hash: sha256'), 'a.dvc')).toThrow(/a\.dvc:4: outs\[0\]\.hash/);
    expect(() => parsePointer(DVC_WRITTEN.replace('59\n', '59.dir\n'), 'a.dvc')).toThrow(/directory outputs are not supported/);
    expect(() => parsePointer('outs: []\n', 'a.dvc')).toThrow(/a\.dvc:1: outs: expected a non-empty list/);
    expect(() => parsePointer('outs:\n- md5: [\n', 'a.dvc')).toThrow(/a\.dvc:\d+: yaml:/);
  });
});

describe('md5 (DVC 3 hashes the raw bytes)', () => {
  it('matches known digests and does not normalise line endings', async () => {
    expect(hashBytes(new Uint8Array()).md5).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hashBytes(Buffer.from('hello\n')).md5).toBe('b1946ac92492d2347c6235b4d2611184');
    expect(hashBytes(Buffer.from('hello\r\n')).md5).not.toBe('b1946ac92492d2347c6235b4d2611184');
    const dir = await mkdtemp(join(tmpdir(), 'md5-'));
    await writeFile(join(dir, 'f'), 'hello\n');
    expect(await hashFile(join(dir, 'f'))).toEqual({ md5: 'b1946ac92492d2347c6235b4d2611184', size: 6 });
  });
});

describe('.gitignore entries (as dvc add appends them)', () => {
  it('creates, appends after a missing newline, and never duplicates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitignore-'));
    expect(await addToGitignore(dir, 'model.onnx')).toBe(true);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('/model.onnx\n');
    expect(await addToGitignore(dir, 'model.onnx')).toBe(false);
    await writeFile(join(dir, '.gitignore'), '/model.onnx\n*.tmp');
    await addToGitignore(dir, 'golden.json');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('/model.onnx\n*.tmp\n/golden.json\n');
  });

  it('escapes gitignore wildcards', () => {
    expect(gitignoreEntry('a[1]*.onnx')).toBe('/a\\[1\\]\\*.onnx');
  });
});
