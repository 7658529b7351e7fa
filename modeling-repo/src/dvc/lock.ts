import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../util/index.js';
import { hashFile } from './md5.js';
import type { DvcRepo } from './repo.js';
import type { Stage } from './stage.js';
import { compareCodePoints, hashDirectory } from './tree.js';

export const LOCK_FILE = 'dvc.lock';
/** The lock file format DVC 3 writes (iterative/dvc at 9f901e5, dvc/dvcfile.py line 435, Lockfile.dump_stages). */
const LOCK_SCHEMA = '2.0';
const EXEC_BITS = 0o111;
/** What to do about a dependency that is not on this machine (the data folders are not in git). */
export const DEPS_HINT = 'put the data where configs/dvc-data.yaml points, or point it at the data (see docs/dvc.md)';

/**
 * One dep or out of a stage in dvc.lock, keys in DVC's order (iterative/dvc at 9f901e5,
 * dvc/stage/serialize.py, to_single_stage_lockfile lines 143-186: path, `hash: md5` line 161, the
 * hash, then dvc-data's Meta.to_dict minus isdir, line 173: size, nfiles, isexec), sorted by path.
 */
export interface LockEntry {
  readonly path: string;
  readonly hash: 'md5';
  readonly md5: string;
  readonly size: number;
  readonly nfiles?: number;
  readonly isexec?: true;
}

/** A stage as dvc.lock records it (schema 2.0). */
export interface LockedStage {
  readonly cmd: string[];
  readonly deps: LockEntry[];
  readonly params: Record<string, Record<string, unknown>>;
  readonly outs: LockEntry[];
}

/** What a path hashes to; `undefined` when it does not exist. */
export async function lockEntry(root: string, path: string): Promise<LockEntry | undefined> {
  const absolute = join(root, path);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.isDirectory()) {
    const tree = await hashDirectory(absolute, root);
    return { path, hash: 'md5', md5: tree.md5, size: tree.size, nfiles: tree.nfiles };
  }
  const { md5, size } = await hashFile(absolute);
  return (info.mode & EXEC_BITS) === 0 ? { path, hash: 'md5', md5, size } : { path, hash: 'md5', md5, size, isexec: true };
}

/** The paths (relative to `root`) that do not exist. */
export async function missingPaths(root: string, paths: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const path of paths) {
    if ((await stat(join(root, path)).catch(() => undefined)) === undefined) missing.push(path);
  }
  return missing;
}

async function requiredEntries(root: string, paths: readonly string[], kind: string, hint: string): Promise<LockEntry[]> {
  const sorted = [...paths].sort(compareCodePoints);
  const entries: LockEntry[] = [];
  const missing: string[] = [];
  for (const path of sorted) {
    const entry = await lockEntry(root, path);
    if (entry === undefined) missing.push(path);
    else entries.push(entry);
  }
  if (missing.length > 0) throw new Error(`${kind} not found on this machine: ${missing.map((path) => join(root, path)).join(', ')}; ${hint}`);
  return entries;
}

/** Every key of each params file, top-level keys sorted (serialize.py, _serialize_params_values). */
async function paramsValues(root: string, files: readonly string[]): Promise<Record<string, Record<string, unknown>>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const file of [...files].sort(compareCodePoints)) {
    const doc = (parse(await readFile(join(root, file), 'utf8')) ?? {}) as Record<string, unknown>;
    values[file] = Object.fromEntries(Object.keys(doc).sort(compareCodePoints).map((key) => [key, doc[key]]));
  }
  return values;
}

/** Hashes a stage's deps, params and outs in the workspace, as DVC does after running it. */
export async function lockStage(root: string, stage: Stage): Promise<LockedStage> {
  const deps = await requiredEntries(root, stage.deps, 'dependencies', DEPS_HINT);
  const outs = await requiredEntries(root, stage.outs.map((out) => out.path), 'outputs', 'the stage has not produced them');
  return { cmd: stage.cmd, deps, params: await paramsValues(root, stage.paramsFiles), outs };
}

/** dvc.lock's text: `schema: '2.0'`, then `stages`, block style with unindented lists like ruamel's default. */
export function formatLock(stages: Readonly<Record<string, LockedStage>>): string {
  const body = Object.fromEntries(Object.entries(stages).map(([name, stage]) => [name, { cmd: stage.cmd, deps: stage.deps, params: stage.params, outs: stage.outs }]));
  return stringify({ schema: LOCK_SCHEMA, stages: body }, { indentSeq: false, lineWidth: 0, singleQuote: true });
}

/** Writes dvc.lock through a temporary file and a rename, so no reader sees half a lock. */
export async function writeLock(root: string, stages: Readonly<Record<string, LockedStage>>): Promise<string> {
  const path = join(root, LOCK_FILE);
  await writeFileAtomic(path, formatLock(stages));
  return path;
}

/** Parses dvc.lock; `undefined` when there is none. */
export async function readLock(root: string): Promise<Record<string, LockedStage> | undefined> {
  const text = await readFile(join(root, LOCK_FILE), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const doc = parse(text) as { schema?: unknown; stages?: Record<string, LockedStage> };
  if (doc.schema !== LOCK_SCHEMA) throw new Error(`${join(root, LOCK_FILE)}: schema ${JSON.stringify(doc.schema)}; only '${LOCK_SCHEMA}' (DVC 3) is supported`);
  return doc.stages ?? {};
}

/** Puts a stage's cached outputs into the cache, directories with their `.dir` listing, as `dvc commit` does. */
export async function cacheOutputs(repo: DvcRepo, stage: Stage): Promise<void> {
  for (const out of stage.outs.filter((item) => item.cache)) {
    const absolute = join(repo.root, out.path);
    if (!(await stat(absolute)).isDirectory()) {
      await repo.cache.addFile(absolute);
      continue;
    }
    const tree = await hashDirectory(absolute, repo.root);
    for (const entry of tree.entries) await repo.cache.addFile(join(absolute, entry.relpath));
    await repo.cache.addBytes(tree.md5, tree.listing, join(absolute, '(listing)'));
  }
}
