import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadConfig, parseArgs, type Config } from '../config/index.js';
import { kfoldRun, kfoldRunOverrides } from '../ensemble/index.js';
import type { Tracker } from '../records/index.js';
import { clearmlTrackerFromEnv } from '../tracking/index.js';
import { RunInterrupted } from '../pipeline/index.js';
import { printMerge } from './merge-report.js';
import { fixed, requireNamed, runCommand, stopOnInterrupt } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run kfold -- exp=NAME folds=K out=DIR [key=value ...]',
  'Trains K runs of experiment NAME, run k on every fold of the training side but fold k (data.folds), and',
  'merges them into one bundle in DIR whose thresholds are tuned on the runs\' out-of-fold predictions.',
  'The validation split is the experiment\'s own; key=value overrides apply to every run. Run k is named',
  'experiment=NAME-foldk and publishes nothing (export.publishDir=): the merged bundle in DIR is the result.',
].join('\n');

function foldCount(text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 2) throw new Error(`folds=${text}: expected a whole number of folds, 2 or more\nusage: ${USAGE}`);
  return count;
}

/** `npm run kfold -- exp=release folds=5 out=runs/release-kfold5`. */
async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  checkNamed(args.named, ['folds', 'out']);
  if (args.exp === undefined) throw new Error(`missing exp=...\nusage: ${USAGE}`);
  if (args.positional.length > 0) throw new Error(`unexpected argument '${args.positional[0] ?? ''}'\nusage: ${USAGE}`);
  const count = foldCount(requireNamed(args.named, 'folds', USAGE));
  const outDir = resolve(requireNamed(args.named, 'out', USAGE));
  const exp = args.exp;
  const configFor = (index: number): ReturnType<typeof loadConfig> =>
    loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp, overrides: [...args.overrides, ...kfoldRunOverrides(exp, count, index)] });
  const first = await configFor(0);
  const trackersFor = (config: Config): Tracker[] => {
    const clearml = clearmlTrackerFromEnv(config.tracking);
    return clearml === undefined ? [] : [clearml];
  };
  const signal = stopOnInterrupt();
  const result = await kfoldRun({ count, configFor, outDir, log: (line) => { console.log(line); }, trackersFor, signal }).catch((error: unknown) => {
    if (!(error instanceof RunInterrupted)) throw error;
    throw new Error(`${error.message}; then train the folds after it (npm run train -- exp=${exp} data.folds.count=${count} `
      + `data.folds.index=K export.publishDir=) and merge all ${count} bundles (npm run merge -- exp=${exp} out=${outDir} BUNDLE_DIR...)`);
  });
  printMerge(result.merge, result.runs.map((run) => run.bundleDir), first.config, outDir);
  const seconds = result.runs.reduce((sum, run) => sum + run.card.training.seconds, 0);
  console.log(`${count} folds trained in ${fixed(seconds, 0)} s; folds' validation F2: ${result.runs.map((run) => fixed(run.card.metrics.f2)).join(', ')}`);
}

runCommand(main, USAGE);
