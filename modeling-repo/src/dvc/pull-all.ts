import { readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Ignore } from 'ignore';
import { writeFileAtomic } from '../util/index.js';
import { objectPath } from './cache.js';
import { readLock } from './lock.js';
import { hashFile } from './md5.js';
import { readPointer } from './pointer.js';
import type { Remote } from './remotes/index.js';
import type { DvcRepo } from './repo.js';
import { readStage } from './stage.js';
import type { Log, TransferSummary } from './transfer.js';
import { DIR_SUFFIX, loadDvcIgnore, parseTreeListing } from './tree.js';

/** One file to check out: where it goes, the object it comes from, and what asked for it. */
export interface Wanted {
  readonly target: string;
  readonly md5: string;
  readonly origin: string;
}

/** Raised when the remote lacks objects; names every missing object and the file that needs it. */
export class MissingObjectsError extends Error {
  constructor(remote: string, missing: readonly string[]) {
    super(`${remote}: missing ${missing.length} object(s), nothing was checked out:\n  ${missing.join('\n  ')}`);
    this.name = 'MissingObjectsError';
  }
}

async function findPointers(root: string, dir: string, rules: Ignore, found: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (rules.ignores(entry.isDirectory() ? `${rel}/` : rel)) continue;
    if (entry.isDirectory()) await findPointers(root, path, rules, found);
    else if (entry.name.endsWith('.dvc')) found.push(path);
  }
}

/** Every `.dvc` pointer of the project (what a plain `dvc pull` collects), skipping `.dvcignore`d folders. */
export async function projectPointers(root: string): Promise<string[]> {
  const found: string[] = [];
  await findPointers(root, root, await loadDvcIgnore(root), found);
  return found.sort();
}

export async function pointerWants(root: string): Promise<Wanted[]> {
  const wanted: Wanted[] = [];
  for (const pointer of await projectPointers(root)) {
    for (const out of await readPointer(pointer)) {
      wanted.push({ target: join(dirname(pointer), out.path), md5: out.md5, origin: relative(root, pointer) });
    }
  }
  return wanted;
}

/** Gets an object into the cache (md5 checked) unless it is there; returns a message when the remote lacks it. */
async function fetchToCache(repo: DvcRepo, remote: Remote, item: Wanted): Promise<string | undefined> {
  if (await repo.cache.has(item.md5)) return undefined;
  if (!(await remote.has(item.md5))) return `${objectPath(item.md5)} (${relative(repo.root, item.target)}, from ${item.origin})`;
  await repo.cache.addBytes(item.md5, await remote.download(item.md5), `${remote.url}/${objectPath(item.md5)} (for ${item.origin})`);
  return undefined;
}

async function fetchAll(repo: DvcRepo, remote: Remote, items: readonly Wanted[]): Promise<void> {
  const missing: string[] = [];
  for (const item of items) {
    const problem = await fetchToCache(repo, remote, item);
    if (problem !== undefined) missing.push(problem);
  }
  if (missing.length > 0) throw new MissingObjectsError(remote.url, missing);
}

/** The cached outputs of dvc.lock's stages, as recorded (`cache: false` ones in dvc.yaml are left alone, as by DVC). */
export async function lockOutputs(root: string): Promise<Wanted[]> {
  const lock = await readLock(root);
  if (lock === undefined) return [];
  const wanted: Wanted[] = [];
  for (const [name, locked] of Object.entries(lock)) {
    const cached = new Set((await readStage(root, name)).outs.filter((out) => out.cache).map((out) => out.path));
    const origin = `dvc.lock stage ${name}`;
    for (const out of locked.outs.filter((item) => cached.has(item.path))) {
      wanted.push({ target: join(root, out.path), md5: out.md5, origin });
    }
  }
  return wanted;
}

/** Every file of the cached dvc.lock outputs: each directory's `.dir` listing is fetched and read. */
async function lockWants(repo: DvcRepo, remote: Remote): Promise<Wanted[]> {
  const wanted = await lockOutputs(repo.root);
  const listings = wanted.filter((item) => item.md5.endsWith(DIR_SUFFIX));
  await fetchAll(repo, remote, listings);
  const files = wanted.filter((item) => !item.md5.endsWith(DIR_SUFFIX));
  for (const listing of listings) {
    const entries = parseTreeListing(await repo.cache.read(listing.md5), repo.cache.pathOf(listing.md5));
    files.push(...entries.map((entry) => ({ target: join(listing.target, ...entry.relpath.split('/')), md5: entry.md5, origin: listing.origin })));
  }
  return files;
}

async function matches(target: string, md5: string): Promise<boolean> {
  try {
    return (await hashFile(target)).md5 === md5;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * A plain `dvc pull`: every `.dvc` pointer of the project and every cached output of dvc.lock,
 * directories through their `.dir` listing. All objects are fetched into the cache (md5 checked)
 * before any workspace file changes, so a remote that lacks one leaves the workspace as it was;
 * then each file that differs is written atomically.
 */
export async function dvcPullAll(repo: DvcRepo, remote: Remote, log: Log): Promise<TransferSummary> {
  const wanted = [...(await pointerWants(repo.root)), ...(await lockWants(repo, remote))];
  if (wanted.length === 0) throw new Error(`${repo.root}: nothing to pull (no .dvc pointer files and no dvc.lock)`);
  await fetchAll(repo, remote, wanted);
  let transferred = 0;
  for (const item of wanted) {
    if (await matches(item.target, item.md5)) continue;
    await writeFileAtomic(item.target, await repo.cache.read(item.md5));
    transferred += 1;
    log(`checked out ${relative(repo.root, item.target)}  md5 ${item.md5}  (${item.origin})`);
  }
  return { transferred, upToDate: wanted.length - transferred };
}
