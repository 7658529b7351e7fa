import { join, relative } from 'node:path';
import { objectPath } from './cache.js';
import { lockOutputs, pointerWants, type Wanted } from './pull-all.js';
import type { Remote } from './remotes/index.js';
import type { DvcRepo } from './repo.js';
import type { Log, TransferSummary } from './transfer.js';
import { DIR_SUFFIX, parseTreeListing } from './tree.js';

/** The objects behind what a plain `dvc pull` checks out: pointers' files, lock outputs, their listings and files. */
async function objectsToPush(repo: DvcRepo): Promise<Wanted[]> {
  const wanted = [...(await pointerWants(repo.root)), ...(await lockOutputs(repo.root))];
  const all: Wanted[] = [];
  for (const item of wanted) {
    if (!(await repo.cache.has(item.md5))) {
      throw new Error(`${relative(repo.root, item.target)} (md5 ${item.md5}, from ${item.origin}) is not in the cache ${repo.cache.root}; run npm run dvc:lock or npm run model:push first`);
    }
    all.push(item);
    if (!item.md5.endsWith(DIR_SUFFIX)) continue;
    const entries = parseTreeListing(await repo.cache.read(item.md5), repo.cache.pathOf(item.md5));
    all.push(...entries.map((entry) => ({ target: join(item.target, entry.relpath), md5: entry.md5, origin: item.origin })));
  }
  return all;
}

/**
 * A plain `dvc push`: uploads every object the remote lacks, a directory's files before its `.dir`
 * listing so that a remote never names files it does not hold.
 */
export async function dvcPushAll(repo: DvcRepo, remote: Remote, log: Log): Promise<TransferSummary> {
  const objects = await objectsToPush(repo);
  const ordered = [...objects.filter((item) => !item.md5.endsWith(DIR_SUFFIX)), ...objects.filter((item) => item.md5.endsWith(DIR_SUFFIX))];
  let transferred = 0;
  for (const item of ordered) {
    if (await remote.has(item.md5)) continue;
    if (!(await repo.cache.has(item.md5))) throw new Error(`${relative(repo.root, item.target)} (md5 ${item.md5}, from ${item.origin}) is not in the cache ${repo.cache.root}`);
    // Reading checks the md5, so a damaged cache object is refused instead of spread to the remote.
    await repo.cache.read(item.md5);
    await remote.upload(item.md5, repo.cache.pathOf(item.md5));
    transferred += 1;
    log(`pushed      ${relative(repo.root, item.target)} -> ${remote.url}/${objectPath(item.md5)}`);
  }
  return { transferred, upToDate: ordered.length - transferred };
}
