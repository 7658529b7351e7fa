import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCodePoints, hashDirectory, parseTreeListing, pythonJsonString, treeListing } from './tree.js';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dvc-tree-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('DVC 3 directory hash', () => {
  it('matches dvc-data\'s own test: {foo: "foo", bar: "bar"} is 5ea40360f5b4ec688df672a4db9c17d1.dir, 6 bytes, 2 files', async () => {
    // dvc-data tests/hashfile/test_build.py::test_build_directory asserts this hash, Meta(size=6,
    // nfiles=2) and the listing [bar, foo] for exactly these two files.
    const tree = await hashDirectory(await folder({ foo: 'foo', bar: 'bar' }));
    expect(tree).toMatchObject({ md5: '5ea40360f5b4ec688df672a4db9c17d1.dir', size: 6, nfiles: 2 });
    expect(tree.entries).toEqual([
      { md5: '37b51d194a7513e45b56f6524f2d51f2', relpath: 'bar' },
      { md5: 'acbd18db4cc2f85cedef654fccc4a4d8', relpath: 'foo' },
    ]);
  });

  it('writes the .dir object byte for byte as dvc-data stores it (tests/index/conftest.py: 1f69c660...dir)', () => {
    // That fixture stores these exact bytes under 1f69c66028c35037e8bf67e5bc4ceb6a.dir; the entries are given unsorted.
    const listing = treeListing([
      { md5: '258622b1688250cb619f3c9ccaefb7eb', relpath: 'baz' },
      { md5: 'c157a79031e1c40f85931829bc5fc552', relpath: 'bar' },
    ]);
    expect(listing.toString('utf8')).toBe('[{"md5": "c157a79031e1c40f85931829bc5fc552", "relpath": "bar"}, {"md5": "258622b1688250cb619f3c9ccaefb7eb", "relpath": "baz"}]');
    expect(createHash('md5').update(listing).digest('hex')).toBe('1f69c66028c35037e8bf67e5bc4ceb6a');
    expect(parseTreeListing(listing, 'x').map((entry) => entry.relpath)).toEqual(['bar', 'baz']);
  });

  it('nested files get forward-slash relpaths; empty folders and .dvcignore\'d paths add nothing', async () => {
    const root = await folder({ '.dvcignore': '/data/skip/\n*.tmp\n', 'data/b/x.txt': 'x', 'data/a.txt': 'a', 'data/c.tmp': 'junk', 'data/skip/s.txt': 's' });
    await mkdir(join(root, 'data', 'empty'));
    const tree = await hashDirectory(join(root, 'data'), root);
    const expected = `[{"md5": "${md5('a')}", "relpath": "a.txt"}, {"md5": "${md5('x')}", "relpath": "b/x.txt"}]`;
    expect(tree).toMatchObject({ md5: `${md5(expected)}.dir`, size: 2, nfiles: 2 });
    expect(tree.listing.toString('utf8')).toBe(expected);
  });

  it('an empty folder hashes like DVC\'s empty listing "[]"', async () => {
    expect(await hashDirectory(await folder({}))).toMatchObject({ md5: `${md5('[]')}.dir`, size: 0, nfiles: 0 });
  });

  it('refuses a .dvcignore inside the tracked folder, as dvc-data does', async () => {
    const root = await folder({ 'd/.dvcignore': 'x\n', 'd/a': 'a' });
    await expect(hashDirectory(join(root, 'd'), root)).rejects.toThrow(/\.dvcignore inside a tracked folder/);
  });

  it('escapes strings as Python\'s json.dumps(ensure_ascii=True) does', () => {
    // json.dumps('é\x7f"\\\n\x01😀') == '"\\u00e9\\u007f\\"\\\\\\n\\u0001\\ud83d\\ude00"'
    expect(pythonJsonString('é\u007f"\\\n\u0001😀')).toBe('"\\u00e9\\u007f\\"\\\\\\n\\u0001\\ud83d\\ude00"');
    expect(pythonJsonString('a/b c~')).toBe('"a/b c~"');
  });

  it('sorts relpaths by code point like Python, not by UTF-16 unit like JS', () => {
    expect(['😀', '\uff5e', 'B', 'a'].sort(compareCodePoints)).toEqual(['B', 'a', '\uff5e', '😀']);
    expect(['😀', '\uff5e'].sort()).toEqual(['😀', '\uff5e']);
  });
});
