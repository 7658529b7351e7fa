import { copyFile, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { dvcAdd } from './add.js';
import { promotePointers } from './promote.js';
import { listPointers, openDvcRepo, repoRemote } from './repo.js';
import { dvcPull, dvcPush, type Log } from './transfer.js';

/** The exported bundle (see the model contract): the files `model:push` versions by default. */
export const BUNDLE_FILES = ['model.onnx', 'model.json', 'golden.json'] as const;
const MODELS_DIR = 'models';

/** Command-line words: `key=value` options and plain arguments, in order. */
export interface ParsedArgs {
  readonly options: Record<string, string>;
  readonly positional: string[];
}

/** Splits `key=value` words (the trainer's style) from plain arguments; unknown keys are errors. */
export function parseArgs(argv: readonly string[], allowed: readonly string[]): ParsedArgs {
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of argv) {
    const match = /^([a-z][a-z-]*)=(.*)$/.exec(word);
    if (match?.[1] === undefined) {
      positional.push(word);
      continue;
    }
    if (!allowed.includes(match[1])) throw new Error(`unknown option "${match[1]}" in "${word}" (allowed: ${allowed.join(', ')})`);
    options[match[1]] = match[2] ?? '';
  }
  return { options, positional };
}

async function requireFile(path: string, hint: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() !== true) throw new Error(`${path}: not found; ${hint}`);
}

/** Copies a bundle folder (a run's export) into models/ so it can be versioned. */
async function stageBundle(root: string, from: string): Promise<void> {
  const source = isAbsolute(from) ? from : resolve(root, from);
  await mkdir(join(root, MODELS_DIR), { recursive: true });
  for (const name of BUNDLE_FILES) {
    await requireFile(join(source, name), `from=${from} must be a folder with ${BUNDLE_FILES.join(', ')}`);
    await copyFile(join(source, name), join(root, MODELS_DIR, name));
  }
}

/**
 * `npm run model:push [-- from=BUNDLE_DIR] [remote=NAME] [url=URL] [FILE...]`: `dvc add` then
 * `dvc push` for the bundle in models/ (or the given files). Returns the pointer files to commit.
 */
export async function modelPush(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const { options, positional } = parseArgs(argv, ['from', 'remote', 'url']);
  const repo = await openDvcRepo(root);
  if (options.from !== undefined) await stageBundle(repo.root, options.from);
  const files = positional.length > 0 ? positional.map((file) => resolve(root, file)) : BUNDLE_FILES.map((name) => join(repo.root, MODELS_DIR, name));
  for (const file of files) {
    await requireFile(file, 'train and export a model first (npm run train -- exp=...), or pass from=RUN_BUNDLE_DIR');
  }
  const added = await dvcAdd(repo, files);
  for (const item of added) log(`added       ${relative(repo.root, item.file)}  md5 ${item.md5}  ${item.size} bytes`);
  const remote = repoRemote(repo, { remote: options.remote, url: options.url }, env);
  const pointers = added.map((item) => item.pointer);
  const summary = await dvcPush(repo, remote, pointers, log);
  log(`${summary.transferred} pushed, ${summary.upToDate} already on ${remote.url}`);
  return pointers.map((pointer) => relative(repo.root, pointer));
}

/** `npm run model:pull [-- remote=NAME] [url=URL] [POINTER...]`: fetches what the pointers name. */
export async function modelPull(root: string, argv: readonly string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { options, positional } = parseArgs(argv, ['remote', 'url']);
  const repo = await openDvcRepo(root);
  const pointers = positional.length > 0 ? positional.map((file) => resolve(root, file)) : await listPointers(join(repo.root, MODELS_DIR));
  if (pointers.length === 0) throw new Error(`${join(repo.root, MODELS_DIR)}: no .dvc pointer files to pull`);
  const remote = repoRemote(repo, { remote: options.remote, url: options.url }, env);
  const summary = await dvcPull(repo, remote, pointers, log);
  log(`${summary.transferred} pulled, ${summary.upToDate} up to date, md5 checked, from ${remote.url}`);
}

/** `npm run model:promote -- ../service-repo [POINTER...]`: copies the pointers into its models/. */
export async function modelPromote(root: string, argv: readonly string[], log: Log): Promise<void> {
  const { positional } = parseArgs(argv, []);
  const [target, ...chosen] = positional;
  if (target === undefined) throw new Error('usage: npm run model:promote -- TARGET_PROJECT_DIR [POINTER...]');
  const targetRoot = resolve(root, target);
  if ((await stat(join(targetRoot, '.dvc')).catch(() => undefined)) === undefined) {
    throw new Error(`${targetRoot}: not a DVC project (no .dvc folder); its .dvc/config must name the remote it pulls from`);
  }
  const pointers = chosen.length > 0 ? chosen.map((file) => resolve(root, file)) : await listPointers(join(root, MODELS_DIR));
  if (pointers.length === 0) throw new Error(`${join(root, MODELS_DIR)}: no .dvc pointer files; run npm run model:push first`);
  for (const item of await promotePointers(pointers, join(targetRoot, MODELS_DIR))) {
    log(`promoted    ${relative(root, item.from)} -> ${relative(root, item.to)}  md5 ${item.md5}`);
  }
}
