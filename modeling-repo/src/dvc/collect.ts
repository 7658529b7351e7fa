import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { METRICS_FILE, readMetrics, RUN_SUMMARY_FILE } from '../records/index.js';
import { writeFileAtomic } from '../util/index.js';
import { BUNDLE_FILES, parseArgs } from './cli.js';
import type { Log } from './transfer.js';

/** The bundle folder inside a run folder (`export.name` in the configuration). */
const BUNDLE_DIR = 'bundle';

/** What `collectRun` wrote, relative to its output folder. */
export interface Collected {
  readonly run: string;
  readonly files: string[];
}

async function completed(runDir: string): Promise<boolean> {
  try {
    const summary = JSON.parse(await readFile(join(runDir, RUN_SUMMARY_FILE), 'utf8')) as { status?: unknown };
    return summary.status === 'completed';
  } catch {
    return false;
  }
}

/** The most recently finished run folder under `runsDir` whose `run.json` says completed. */
export async function latestCompletedRun(runsDir: string): Promise<string> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  const runs: { dir: string; time: number }[] = [];
  for (const name of names) {
    const dir = join(runsDir, name);
    if (!(await completed(dir))) continue;
    runs.push({ dir, time: (await stat(join(dir, RUN_SUMMARY_FILE))).mtimeMs });
  }
  runs.sort((a, b) => b.time - a.time);
  const latest = runs[0];
  if (latest === undefined) throw new Error(`${runsDir}: no completed run (a folder with ${RUN_SUMMARY_FILE} saying "completed")`);
  return latest.dir;
}

/**
 * Gathers what the DVC pipeline tracks from a finished run: the exported bundle (an output cached
 * by DVC), `metrics.json` (the model card's metrics, for `dvc metrics show`) and
 * `plots/epochs.json` (one row per epoch, for `dvc plots show`).
 */
export async function collectRun(runDir: string, outDir: string): Promise<Collected> {
  const bundle = join(outDir, BUNDLE_DIR);
  await mkdir(bundle, { recursive: true });
  for (const name of BUNDLE_FILES) await copyFile(join(runDir, BUNDLE_DIR, name), join(bundle, name));
  const card = JSON.parse(await readFile(join(runDir, BUNDLE_DIR, 'model.json'), 'utf8')) as { metrics?: unknown };
  if (card.metrics === undefined) throw new Error(`${join(runDir, BUNDLE_DIR, 'model.json')}: field metrics: missing`);
  await writeFileAtomic(join(outDir, 'metrics.json'), `${JSON.stringify(card.metrics, null, 2)}\n`);
  const epochs = readMetrics(join(runDir, METRICS_FILE))
    .filter((record) => record.kind === 'epoch')
    .map(({ epoch, step, trainLoss, valLoss, valF2, lr, imagesPerSecond, seconds }) => ({ epoch, step, trainLoss, valLoss, valF2, lr, imagesPerSecond, seconds }));
  await writeFileAtomic(join(outDir, 'plots', 'epochs.json'), `${JSON.stringify(epochs, null, 2)}\n`);
  return { run: runDir, files: [...BUNDLE_FILES.map((name) => join(BUNDLE_DIR, name)), 'metrics.json', join('plots', 'epochs.json')] };
}

/** `npm run dvc:collect -- runs=DIR out=DIR [run=RUN_DIR]`: the last step of the `train` stage. */
export async function dvcCollect(root: string, argv: readonly string[], log: Log): Promise<void> {
  const { options } = parseArgs(argv, ['runs', 'out', 'run']);
  if (options.out === undefined || (options.runs === undefined && options.run === undefined)) {
    throw new Error('usage: npm run dvc:collect -- runs=RUNS_DIR out=OUT_DIR [run=RUN_DIR]');
  }
  const runDir = options.run === undefined ? await latestCompletedRun(resolve(root, options.runs ?? '')) : resolve(root, options.run);
  const collected = await collectRun(runDir, resolve(root, options.out));
  log(`collected ${collected.files.join(', ')} from ${collected.run} into ${options.out}`);
}
