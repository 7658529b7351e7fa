import type { Config, LoadedConfig } from '../config/index.js';
import { prepareData, trainRun, type TrainRunResult } from '../pipeline/index.js';
import type { Tracker } from '../records/index.js';
import { loadMembers, mergeBundles, type MergeResult } from './merge.js';

/**
 * K-fold training end to end: K runs of one experiment, run k trained on every fold of the
 * training side but fold k (`data.folds`), then one bundle that averages the K models, with
 * thresholds tuned on their out-of-fold predictions (merge.ts, out-of-fold.ts).
 */

export interface KFoldOptions {
  /** Number of folds (2 or more). */
  readonly count: number;
  /** The experiment's configuration for fold `index` (the caller adds data.folds.count/index). */
  readonly configFor: (index: number) => Promise<LoadedConfig>;
  /** Where the merged bundle goes. */
  readonly outDir: string;
  readonly log: (line: string) => void;
  /** Trackers for one fold's run, made per run (a tracker records one run: ClearML's task, queue and failure state). */
  readonly trackersFor?: (config: Config) => readonly Tracker[];
  readonly signal?: AbortSignal;
}

export interface KFoldResult {
  readonly runs: readonly TrainRunResult[];
  readonly merge: MergeResult;
}

/** The overrides that make run `index` of `count` one fold of a K-fold split. */
export function foldOverrides(count: number, index: number): string[] {
  return [`data.folds.count=${count}`, `data.folds.index=${index}`];
}

/**
 * What `npm run kfold` adds after the user's overrides for fold `index`: the fold, a run name per
 * fold (run folders, tracker tasks), and no publishing: a fold's model is a member, not a release,
 * and the merged bundle goes to the command's out=DIR.
 */
export function kfoldRunOverrides(exp: string, count: number, index: number): string[] {
  return [...foldOverrides(count, index), `experiment=${exp}-fold${index}`, 'export.publishDir='];
}

/** The merge validates on the experiment's own split: the folds' configuration without `data.folds`. */
function mergeConfig(config: Config): Config {
  return { ...config, data: { ...config.data, folds: { count: 1, index: 0 } } };
}

export async function kfoldRun(options: KFoldOptions): Promise<KFoldResult> {
  const { count, log } = options;
  if (!Number.isInteger(count) || count < 2) throw new Error(`K-fold training needs folds=2 or more, got ${count}`);
  const runs: TrainRunResult[] = [];
  let config: Config | undefined;
  for (let index = 0; index < count; index++) {
    const loaded = await options.configFor(index);
    config = loaded.config;
    log(`fold ${index} of 0..${count - 1}: training on the other folds`);
    const trackers = options.trackersFor?.(loaded.config);
    runs.push(await trainRun({
      config: loaded.config, sources: loaded.sources, log,
      ...(trackers === undefined ? {} : { extraTrackers: trackers }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }));
    log(`fold ${index} of 0..${count - 1}: ${runs[index]?.bundleDir ?? ''}`);
  }
  if (config === undefined) throw new Error('K-fold training ran no fold');
  const merged = mergeConfig(config);
  const members = await loadMembers(runs.map((run) => run.bundleDir));
  const merge = await mergeBundles(merged, await prepareData(merged, log), members, options.outDir, log);
  return { runs, merge };
}
