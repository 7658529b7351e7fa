/**
 * `npx tsx bench/source-gap.ts RUN_DIR [BUNDLE_DIR]`: how much a model depends on where a chip came
 * from. The validation chips of the run that every one of its `data.sources` holds (the full-size
 * chips, which the Kaggle thumbnails also cover) are scored once per source with the bundle
 * (default RUN_DIR/bundle): the same chips and labels, only the 32 px image differs (the
 * pipeline's own reduction of the full-size chip against the thumbnail). A model that does not
 * depend on one resampler scores them alike.
 */
import { join, resolve } from 'node:path';

import { loadSavedConfig } from '../src/config/index.js';
import { binomialBlur, chipBytes, loadChipSet, subsetChips, type ChipSet } from '../src/data/index.js';
import { BundleModel } from '../src/inference/index.js';
import { evaluateProbabilities } from '../src/metric/index.js';
import { prepareData } from '../src/pipeline/prepare-data.js';

const BATCH = 256;
const FIXED_THRESHOLD = 0.2;
const RARE = ['artisinal_mine', 'bare_ground', 'blooming', 'blow_down', 'conventional_mine', 'selective_logging', 'slash_burn'];

async function predictAll(model: BundleModel, set: ChipSet): Promise<Float32Array> {
  const per = chipBytes(set.size);
  const classes = model.card.labels.length;
  const out = new Float32Array(set.names.length * classes);
  for (let start = 0; start < set.names.length; start += BATCH) {
    const n = Math.min(BATCH, set.names.length - start);
    out.set(await model.predict(set.images.subarray(start * per, (start + n) * per), n), start * classes);
  }
  return out;
}

/** The rows of `set` for `names`, in that order. */
function rowsOf(set: ChipSet, names: readonly string[]): ChipSet {
  const index = new Map(set.names.map((name, i) => [name, i]));
  return subsetChips(set, names.map((name) => index.get(name) ?? -1));
}

/**
 * The amount a for which `to` is closest (least squares) to `from` + a (blur(from) - from): how
 * much softer (a > 0) or sharper (a < 0) one source's chips are than another's, in the units of
 * `train.augment.sharpness`.
 */
function sharpnessFit(from: ChipSet, to: ChipSet): number {
  const per = chipBytes(from.size);
  let along = 0;
  let norm = 0;
  for (let i = 0; i < from.names.length; i++) {
    const x = from.images.subarray(i * per, (i + 1) * per);
    const blurred = binomialBlur(x, from.size);
    for (let k = 0; k < per; k++) {
      const direction = (blurred[k] ?? 0) - (x[k] ?? 0);
      along += direction * ((to.images[i * per + k] ?? 0) - (x[k] ?? 0));
      norm += direction * direction;
    }
  }
  return along / norm;
}

interface SourceView { readonly source: string; readonly chips: ChipSet }

/** Scores one source's view of the shared chips; returns its probabilities. */
async function scoreView(model: BundleModel, { source, chips }: SourceView): Promise<Float32Array> {
  const p = await predictAll(model, chips);
  const tuned = evaluateProbabilities(p, chips.targets, model.thresholds(), model.card.labels);
  const fixed = evaluateProbabilities(p, chips.targets, FIXED_THRESHOLD, model.card.labels);
  const rare = RARE.map((tag) => `${tag} ${(tuned.perClass[tag]?.f2 ?? 0).toFixed(3)}`).join(', ');
  console.log(`${source}: F2 tuned ${tuned.f2.toFixed(4)}, at ${FIXED_THRESHOLD} ${fixed.f2.toFixed(4)} (${rare})`);
  return p;
}

/** How the first two sources differ: in sharpness, and in the model's probabilities. */
function comparePair(views: readonly SourceView[], probabilities: readonly Float32Array[]): void {
  const [a, b] = views;
  const [pa, pb] = probabilities;
  if (a === undefined || b === undefined || pa === undefined || pb === undefined) return;
  console.log(`${b.source} ~ ${a.source} + a (blur - itself) with a = ${sharpnessFit(a.chips, b.chips).toFixed(3)}`);
  const diff = pa.reduce((acc, v, i) => acc + Math.abs(v - (pb[i] ?? 0)), 0) / pa.length;
  console.log(`mean |p(${a.source}) - p(${b.source})| per tag: ${diff.toFixed(5)}`);
}

/** Each source's chips of the run's validation split that every source holds, in one order. */
async function sharedViews(runDir: string): Promise<SourceView[]> {
  const { config } = await loadSavedConfig(join(runDir, 'config.yaml'));
  const data = await prepareData(config, () => undefined);
  const bySource = await Promise.all(config.data.sources.map(async (source) => {
    const { set } = await loadChipSet({
      labels: config.data.labels, sources: [source], size: config.model.inputSize, onInvalid: 'skip', cacheDir: config.data.cacheDir, progress: false,
    });
    return { source, names: new Set(set.names), set };
  }));
  const shared = data.validation.names.filter((name) => bySource.every((s) => s.names.has(name)));
  if (shared.length === 0) throw new Error(`no validation chip of ${runDir} is in every source (${config.data.sources.join(', ')})`);
  return bySource.map(({ source, set }) => ({ source, chips: rowsOf(set, shared) }));
}

async function main(): Promise<void> {
  const [runArg, bundleArg] = process.argv.slice(2);
  if (runArg === undefined || runArg === '--help') {
    console.log('usage: npx tsx bench/source-gap.ts RUN_DIR [BUNDLE_DIR]');
    process.exit(runArg === undefined ? 1 : 0);
  }
  const runDir = resolve(runArg);
  const views = await sharedViews(runDir);
  const model = await BundleModel.load(resolve(bundleArg ?? join(runDir, 'bundle')));
  try {
    console.log(`${views[0]?.chips.names.length ?? 0} validation chips held by every source of ${runDir}`);
    const probabilities: Float32Array[] = [];
    for (const view of views) probabilities.push(await scoreView(model, view));
    comparePair(views, probabilities);
  } finally {
    await model.close();
  }
}

await main();
