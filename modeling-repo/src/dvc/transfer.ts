import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import { objectPath } from './cache.js';
import { hashFile } from './md5.js';
import { readPointer, type DvcOut } from './pointer.js';
import type { Remote } from './remotes/index.js';
import type { DvcRepo } from './repo.js';

/** Progress lines go through this so that scripts print and tests collect. */
export type Log = (line: string) => void;

/** Counts of one push or pull. */
export interface TransferSummary {
  readonly transferred: number;
  readonly upToDate: number;
}

interface TrackedOut {
  readonly pointer: string;
  readonly out: DvcOut;
  readonly target: string;
}

async function trackedOuts(pointers: readonly string[]): Promise<TrackedOut[]> {
  const all: TrackedOut[] = [];
  for (const pointer of pointers) {
    for (const out of await readPointer(pointer)) {
      all.push({ pointer, out, target: join(dirname(pointer), out.path) });
    }
  }
  return all;
}

/** `dvc push`: uploads each pointer's cache object unless the remote already has it. */
export async function dvcPush(repo: DvcRepo, remote: Remote, pointers: readonly string[], log: Log): Promise<TransferSummary> {
  let transferred = 0;
  let upToDate = 0;
  for (const { pointer, out } of await trackedOuts(pointers)) {
    if (!(await repo.cache.has(out.md5))) {
      throw new Error(`${pointer}: ${out.path} (md5 ${out.md5}) is not in the cache ${repo.cache.root}; add it first`);
    }
    if (await remote.has(out.md5)) {
      upToDate += 1;
      log(`up to date  ${out.path}  ${objectPath(out.md5)}`);
      continue;
    }
    await remote.upload(out.md5, repo.cache.pathOf(out.md5));
    transferred += 1;
    log(`pushed      ${out.path}  ${out.size} bytes -> ${remote.url}/${objectPath(out.md5)}`);
  }
  return { transferred, upToDate };
}

async function workspaceMatches(target: string, md5: string): Promise<boolean> {
  try {
    return (await hashFile(target)).md5 === md5;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Gets an object's verified bytes from the cache, or from the remote into the cache. */
async function fetchObject(repo: DvcRepo, remote: Remote, item: TrackedOut): Promise<Buffer> {
  if (!(await repo.cache.has(item.out.md5))) {
    const bytes = await remote.download(item.out.md5);
    await repo.cache.addBytes(item.out.md5, bytes, `${remote.url}/${objectPath(item.out.md5)} (for ${item.pointer})`);
  }
  return repo.cache.read(item.out.md5);
}

/**
 * `dvc pull`: for each pointer, leaves a workspace file that already matches, otherwise takes the
 * object from the cache or the remote, checks its md5, and writes the file atomically.
 */
export async function dvcPull(repo: DvcRepo, remote: Remote, pointers: readonly string[], log: Log): Promise<TransferSummary> {
  let transferred = 0;
  let upToDate = 0;
  for (const item of await trackedOuts(pointers)) {
    if (await workspaceMatches(item.target, item.out.md5)) {
      upToDate += 1;
      log(`up to date  ${relative(repo.root, item.target)}`);
      continue;
    }
    const bytes = await fetchObject(repo, remote, item);
    await writeFileAtomic(item.target, bytes);
    transferred += 1;
    log(`pulled      ${relative(repo.root, item.target)}  ${bytes.length} bytes  md5 ${item.out.md5}`);
  }
  return { transferred, upToDate };
}
