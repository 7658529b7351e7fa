import { join, resolve } from 'node:path';
import { dvcPull, type Log } from './pull.js';
import { listPointers, openDvcRepo, repoRemote } from './repo.js';

const MODELS_DIR = 'models';
const OPTIONS = ['remote', 'url'];

/** `key=value` options (`remote=NAME`, `url=URL`) and pointer files, from the command line. */
function parseArgs(argv: readonly string[]): { options: Record<string, string>; pointers: string[] } {
  const options: Record<string, string> = {};
  const pointers: string[] = [];
  for (const word of argv) {
    const match = /^([a-z]+)=(.*)$/.exec(word);
    if (match?.[1] === undefined) {
      pointers.push(word);
      continue;
    }
    if (!OPTIONS.includes(match[1])) throw new Error(`unknown option "${match[1]}" in "${word}" (allowed: ${OPTIONS.join(', ')})`);
    options[match[1]] = match[2] ?? '';
  }
  return { options, pointers };
}

/**
 * `npm run model:pull [-- remote=NAME] [url=URL] [POINTER...]`: fetches the model bundle named by
 * the committed pointers (`models/*.dvc`) from the DVC remote (`DVC_REMOTE_URL`, else
 * `.dvc/config`), checks every md5, and writes the files beside their pointers.
 */
export async function modelPull(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { options, pointers: chosen } = parseArgs(argv);
  const repo = await openDvcRepo(root);
  const pointers = chosen.length > 0 ? chosen.map((file) => resolve(root, file)) : await listPointers(join(repo.root, MODELS_DIR));
  if (pointers.length === 0) {
    throw new Error(`${join(repo.root, MODELS_DIR)}: no .dvc pointer files; promote a model from the modeling repository first (npm run model:promote -- ../service-repo)`);
  }
  const remote = await repoRemote(repo, { remote: options.remote, url: options.url }, env);
  const summary = await dvcPull(repo, remote, pointers, log);
  log(`${summary.transferred} pulled, ${summary.upToDate} up to date, md5 checked, from ${remote.url}`);
}
