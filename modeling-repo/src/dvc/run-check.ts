import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join, relative, resolve } from 'node:path';
import { loadConfig, parseArgs } from '../config/index.js';
import type { Stage } from './stage.js';

const TRAIN_PREFIX = 'npm run train -- ';
const COLLECT_PREFIX = 'npm run dvc:collect -- ';

/** What a finished run recorded about itself (run.json and the model card's `training`). */
export interface RunRecord {
  readonly status: unknown;
  readonly gitCommit: unknown;
  readonly config: unknown;
}

/** The `key=value` words of the stage's command that starts with `prefix`. */
export function commandOptions(stage: Stage, prefix: string): string[] {
  const command = stage.cmd.find((line) => line.startsWith(prefix));
  if (command === undefined) throw new Error(`dvc.yaml: stage ${stage.name} has no "${prefix.trim()}" command`);
  return command.slice(prefix.length).split(' ').filter((word) => word !== '');
}

/** The `name=` value of the stage's `dvc:collect` command (runs=, out=). */
export function collectOption(stage: Stage, name: string): string {
  const word = commandOptions(stage, COLLECT_PREFIX).find((item) => item.startsWith(`${name}=`));
  if (word === undefined) throw new Error(`dvc.yaml: stage ${stage.name}: the dvc:collect command has no ${name}=`);
  return word.slice(name.length + 1);
}

export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const read = async (file: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(runDir, file), 'utf8')) as Record<string, unknown>;
  const none: Record<string, unknown> = {};
  const run = await read('run.json').catch(() => none);
  const card = await read(join('bundle', 'model.json')).catch(() => none);
  const training = (card.training ?? {}) as Record<string, unknown>;
  return { status: run.status, gitCommit: training.gitCommit, config: training.config };
}

/** Dotted keys whose values differ between two configuration objects. */
export function configDifferences(expected: unknown, actual: unknown, prefix = ''): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(expected) || !isObject(actual)) return [prefix === '' ? '(whole config)' : prefix];
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return keys.flatMap((key) => configDifferences(expected[key], actual[key], prefix === '' ? key : `${prefix}.${key}`));
}

/** The configuration the stage's training command resolves to in this workspace. */
export async function stageConfig(root: string, stage: Stage, env: NodeJS.ProcessEnv): Promise<unknown> {
  const parsed = parseArgs(commandOptions(stage, TRAIN_PREFIX));
  const { config } = await loadConfig({ configDir: join(root, 'configs'), exp: parsed.exp, overrides: parsed.overrides, env, baseDir: root });
  return config;
}

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Problems that make the run's outputs not the stage's: its code deps are not at the run's commit. */
export function codeProblems(root: string, stage: Stage, recorded: unknown): string[] {
  const head = git(root, ['rev-parse', 'HEAD'])?.trim();
  if (head === undefined) return ['cannot read the workspace\'s git commit, so the run\'s code cannot be matched'];
  if (recorded !== head) return [`the run was trained at commit ${String(recorded)}, the workspace is at ${head}`];
  const tracked = [...stage.deps, ...stage.paramsFiles].filter((path) => git(root, ['ls-files', '--error-unmatch', path]) !== undefined);
  const changed = git(root, ['status', '--porcelain', '--', ...tracked])?.trim() ?? '';
  return changed === '' ? [] : [`uncommitted changes in the stage's deps: ${changed.split('\n').join('; ')}`];
}

/**
 * Why `runDir` is not the result of the stage's command in this workspace, or an empty list: it
 * must be completed, inside the stage's runs folder, configured exactly as the command configures
 * a run, and trained from the committed code the workspace has now.
 */
export async function runProblems(root: string, stage: Stage, runDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const record = await readRunRecord(runDir);
  const problems: string[] = [];
  if (record.status !== 'completed') problems.push(`${runDir}: run.json does not say "completed"`);
  const runsDir = resolve(root, collectOption(stage, 'runs'));
  if (relative(runsDir, runDir).startsWith('..')) problems.push(`${runDir} is not inside the stage's runs output ${runsDir}`);
  const differences = configDifferences(await stageConfig(root, stage, env), record.config);
  if (differences.length > 0) problems.push(`its configuration differs from the stage command's in: ${differences.join(', ')}`);
  return [...problems, ...codeProblems(root, stage, record.gitCommit)];
}
