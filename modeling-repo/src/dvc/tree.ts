import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { Ignore } from 'ignore';
import { hashFile } from './md5.js';

// `ignore` 5 is CommonJS whose types declare an ES default export; require() gives the factory itself.
const ignore = createRequire(import.meta.url)('ignore') as typeof import('ignore').default;

/** DVC marks a directory's hash with this suffix; the object under that name is the listing. */
export const DIR_SUFFIX = '.dir';
const IGNORE_FILE = '.dvcignore';
/** DVC's own default ignores (dvc/ignore.py, DvcIgnoreFilter): never part of a tracked folder. */
const DEFAULT_IGNORES = ['.hg/', '.git/', '.git', '.dvc/'];

/** One file of a directory tree, as DVC lists it in the `.dir` object. */
export interface TreeEntry {
  readonly md5: string;
  /** Path inside the directory, with forward slashes. */
  readonly relpath: string;
}

/** A directory's DVC 3 identity: what `dvc.lock` records for it, and the `.dir` object's bytes. */
export interface DirHash {
  /** `<md5 of the listing>.dir` */
  readonly md5: string;
  readonly size: number;
  readonly nfiles: number;
  readonly entries: readonly TreeEntry[];
  /** The `.dir` object stored in the cache and the remote under `md5`. */
  readonly listing: Buffer;
}

const HEX = 16;
const UNICODE_ESCAPE_DIGITS = 4;
const FIRST_PRINTABLE = 0x20;
const LAST_PRINTABLE = 0x7e;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * A string as Python's `json.dumps` writes it with its default `ensure_ascii=True`
 * (json/encoder.py, py_encode_basestring_ascii): printable ASCII as is, the short escapes, and
 * every other UTF-16 code unit (DEL and astral halves included) as a lowercase `\uXXXX`.
 */
export function pythonJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i += 1) {
    const char = value.charAt(i);
    const code = value.charCodeAt(i);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code >= FIRST_PRINTABLE && code <= LAST_PRINTABLE) out += char;
    else out += `\\u${code.toString(HEX).padStart(UNICODE_ESCAPE_DIGITS, '0')}`;
  }
  return `${out}"`;
}

/** Python's string order (by code point), which differs from JS's UTF-16 order above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/**
 * The bytes of a `.dir` object, exactly as dvc-data writes them (iterative/dvc-data at b9ec41c,
 * src/dvc_data/hashfile/tree.py: Tree.as_list lines 133-157 sort the entries by relpath, line 153;
 * Tree.as_bytes lines 159-162 `json.dumps(self.as_list(), sort_keys=True).encode("utf-8")`; Tree.digest
 * lines 82-99 md5s those bytes and appends ".dir", line 97): each `{"md5": ..., "relpath": ...}`,
 * Python's default separators `, ` and `: `.
 */
export function treeListing(entries: readonly TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  const items = sorted.map((entry) => `{"md5": ${pythonJsonString(entry.md5)}, "relpath": ${pythonJsonString(entry.relpath)}}`);
  return Buffer.from(`[${items.join(', ')}]`, 'utf8');
}

/** Parses a `.dir` object back into its entries; `where` names it in errors. */
export function parseTreeListing(bytes: Uint8Array, where: string): TreeEntry[] {
  const raw: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
  if (!Array.isArray(raw)) throw new Error(`${where}: a .dir object must be a JSON list`);
  return raw.map((item: unknown, index) => {
    const { md5, relpath } = (item ?? {}) as { md5?: unknown; relpath?: unknown };
    const safe = typeof relpath === 'string' && relpath !== '' && !relpath.startsWith('/') && !relpath.split('/').includes('..');
    if (typeof md5 !== 'string' || !safe) throw new Error(`${where}: entry ${index} needs an md5 and a relative relpath inside the folder`);
    return { md5, relpath };
  });
}

/** The `.dvcignore` rules of a DVC project root (nested `.dvcignore` files are not read). */
export async function loadDvcIgnore(projectRoot: string): Promise<Ignore> {
  const rules = ignore().add(DEFAULT_IGNORES);
  try {
    rules.add(await readFile(join(projectRoot, IGNORE_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return rules;
}

interface Walk {
  readonly root: string;
  readonly projectRoot: string;
  readonly rules: Ignore;
}

function ignored(walk: Walk, path: string, isDir: boolean): boolean {
  const rel = relative(walk.projectRoot, path).split(sep).join('/');
  if (rel === '' || rel.startsWith('..')) return false;
  return walk.rules.ignores(isDir ? `${rel}/` : rel);
}

async function collectFiles(walk: Walk, dir: string, files: string[]): Promise<void> {
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    if (ignored(walk, path, info.isDirectory())) continue;
    // dvc-data refuses a .dvcignore inside a tracked folder (IgnoreInCollectedDirError).
    if (name === IGNORE_FILE) throw new Error(`${path}: a .dvcignore inside a tracked folder is not allowed by DVC`);
    if (info.isDirectory()) await collectFiles(walk, path, files);
    else if (info.isFile()) files.push(path);
  }
}

/**
 * DVC 3's hash of a directory (dvc-data src/dvc_data/hashfile/build.py `_build_tree`, lines 241-311:
 * size is the sum of the files' sizes and nfiles their count, line 302; a .dvcignore inside is an
 * error, line 277; then Tree.digest): the md5 of its `.dir` listing plus `.dir`. Empty folders add
 * nothing; paths matched by the project's `.dvcignore` are left out, as DVC's walk does.
 */
export async function hashDirectory(dir: string, projectRoot: string = dir): Promise<DirHash> {
  const walk: Walk = { root: dir, projectRoot, rules: await loadDvcIgnore(projectRoot) };
  const files: string[] = [];
  await collectFiles(walk, dir, files);
  const entries: TreeEntry[] = [];
  let size = 0;
  for (const file of files) {
    const hash = await hashFile(file);
    size += hash.size;
    entries.push({ md5: hash.md5, relpath: relative(dir, file).split(sep).join('/') });
  }
  const listing = treeListing(entries);
  const md5 = `${createHash('md5').update(listing).digest('hex')}${DIR_SUFFIX}`;
  return { md5, size, nfiles: entries.length, entries: [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath)), listing };
}
