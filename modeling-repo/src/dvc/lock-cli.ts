import { relative, resolve } from 'node:path';
import { parseArgs } from './cli.js';
import { collectRun } from './collect.js';
import { cacheOutputs, DEPS_HINT, lockStage, missingPaths, readLock, writeLock } from './lock.js';
import { dvcPullAll } from './pull-all.js';
import { dvcPushAll } from './push-all.js';
import { openDvcRepo, repoRemote } from './repo.js';
import { collectOption, runProblems } from './run-check.js';
import { readStage } from './stage.js';
import type { Log } from './transfer.js';

const DEFAULT_STAGE = 'train';

/**
 * `npm run dvc:lock -- RUN_DIR [stage=train]`: records a finished run as the stage's result, as
 * `dvc repro` would have: checks that the run is what the stage's command produces here (config,
 * commit, runs folder), collects it (the stage's last command), hashes deps, params and outs into
 * dvc.lock (temp file + rename) and puts the cached outputs into `.dvc/cache`.
 */
export async function dvcLockCommand(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { options, positional } = parseArgs(argv, ['stage']);
  const [run] = positional;
  if (run === undefined || positional.length > 1) throw new Error('usage: npm run dvc:lock -- RUN_DIR [stage=NAME]');
  const repo = await openDvcRepo(root);
  const stage = await readStage(repo.root, options.stage ?? DEFAULT_STAGE);
  const runDir = resolve(root, run);
  const missing = (await missingPaths(repo.root, stage.deps)).map((path) => `dependency not found on this machine: ${resolve(repo.root, path)}; ${DEPS_HINT}`);
  const problems = [...(await runProblems(repo.root, stage, runDir, env)), ...missing];
  if (problems.length > 0) throw new Error(`${runDir} is not the result of stage ${stage.name} in this workspace, so no dvc.lock was written:\n  ${problems.join('\n  ')}`);
  await collectRun(runDir, resolve(repo.root, collectOption(stage, 'out')));
  const locked = await lockStage(repo.root, stage);
  const path = await writeLock(repo.root, { ...((await readLock(repo.root)) ?? {}), [stage.name]: locked });
  await cacheOutputs(repo, stage);
  for (const out of locked.outs) log(`out  ${out.path}  md5 ${out.md5}  ${out.size} bytes${out.nfiles === undefined ? '' : `, ${out.nfiles} files`}`);
  log(`wrote ${relative(root, path)}: stage ${stage.name}, ${locked.deps.length} deps, ${Object.keys(locked.params).length} params files, ${locked.outs.length} outs`);
  return path;
}

/** `npm run dvc:pull [-- remote=NAME] [url=URL]`: a plain `dvc pull` (every pointer and dvc.lock output). */
export async function dvcPullCommand(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { options, positional } = parseArgs(argv, ['remote', 'url']);
  if (positional.length > 0) throw new Error('dvc:pull takes no targets (it pulls everything); use npm run model:pull -- POINTER... for some');
  const repo = await openDvcRepo(root);
  const remote = repoRemote(repo, { remote: options.remote, url: options.url }, env);
  const summary = await dvcPullAll(repo, remote, log);
  log(`${summary.transferred} checked out, ${summary.upToDate} up to date, md5 checked, from ${remote.url}`);
}

/** `npm run dvc:push [-- remote=NAME] [url=URL]`: a plain `dvc push` (every pointer and dvc.lock output). */
export async function dvcPushCommand(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { options, positional } = parseArgs(argv, ['remote', 'url']);
  if (positional.length > 0) throw new Error('dvc:push takes no targets (it pushes everything); use npm run model:push -- FILE... for some');
  const repo = await openDvcRepo(root);
  const remote = repoRemote(repo, { remote: options.remote, url: options.url }, env);
  const summary = await dvcPushAll(repo, remote, log);
  log(`${summary.transferred} pushed, ${summary.upToDate} already on ${remote.url}`);
}
