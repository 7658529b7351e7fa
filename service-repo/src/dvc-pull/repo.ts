import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { DvcCache } from './cache.js';
import { DvcConfigError, envOverrides, loadDvcConfig, resolveRemote, type DvcConfig, type RemoteOverrides } from './config.js';
import { openRemote, type Remote } from './remotes/index.js';

/** A DVC project on disk: its root (the folder holding `.dvc/`), merged config and cache. */
export interface DvcRepo {
  readonly root: string;
  readonly config: DvcConfig;
  readonly cache: DvcCache;
}

/** Opens the DVC project rooted at `root`; fails clearly when `.dvc/` is missing. */
export async function openDvcRepo(root: string): Promise<DvcRepo> {
  const absolute = resolve(root);
  try {
    await stat(join(absolute, '.dvc'));
  } catch {
    throw new DvcConfigError(`${absolute}: not a DVC project (no .dvc folder); run from the package root`);
  }
  const config = await loadDvcConfig(absolute);
  // `[cache] dir` is relative to `.dvc/` like every path in DVC's config.
  const dir = config.cache?.dir;
  const cacheRoot = dir === undefined ? join(absolute, '.dvc', 'cache') : isAbsolute(dir) ? dir : resolve(absolute, '.dvc', dir);
  return { root: absolute, config, cache: new DvcCache(cacheRoot) };
}

/** The remote for a command: the environment's overrides, then the given ones, then the config. */
export function repoRemote(repo: DvcRepo, overrides: RemoteOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<Remote> {
  const fromEnv = envOverrides(env);
  const chosen = { remote: overrides.remote ?? fromEnv.remote, url: overrides.url ?? fromEnv.url };
  return openRemote(resolveRemote(repo.config, repo.root, chosen), env);
}

/** The `.dvc` pointer files directly inside a folder, sorted by name. */
export async function listPointers(folder: string): Promise<string[]> {
  const names = await readdir(folder);
  return names.filter((name) => name.endsWith('.dvc')).sort().map((name) => join(folder, name));
}
