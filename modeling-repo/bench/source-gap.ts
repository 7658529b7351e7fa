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
import { chipBytes, loadChipSet, subsetChips, type ChipSet } from '../src/data/index.js';
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

async function main(): Promise<void> {
  const [runArg, bundleArg] = process.argv.slice(2);
  if (runArg === undefined || runArg === '--help') {
    console.log('usage: npx tsx bench/source-gap.ts RUN_DIR [BUNDLE_DIR]');
    process.exit(runArg === undefined ? 1 : 0);
  }
  const runDir = resolve(runArg);
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
  const model = await BundleModel.load(resolve(bundleArg ?? join(runDir, 'bundle')));
  try {
    const probabilities: Float32Array[] = [];
    console.log(`${shared.length} validation chips held by every source of ${runDir}`);
    for (const { source, set } of bySource) {
      const chips = rowsOf(set, shared);
      const p = await predictAll(model, chips);
      probabilities.push(p);
      const tuned = evaluateProbabilities(p, chips.targets, model.thresholds(), model.card.labels);
      const fixed = evaluateProbabilities(p, chips.targets, FIXED_THRESHOLD, model.card.labels);
      const rare = RARE.map((tag) => `${tag} ${(tuned.perClass[tag]?.f2 ?? 0).toFixed(3)}`).join(', ');
      console.log(`${source}: F2 tuned ${tuned.f2.toFixed(4)}, at ${FIXED_THRESHOLD} ${fixed.f2.toFixed(4)} (${rare})`);
    }
    const [first, second] = probabilities;
    if (first !== undefined && second !== undefined) {
      const diff = first.reduce((acc, v, i) => acc + Math.abs(v - (second[i] ?? 0)), 0) / first.length;
      console.log(`mean |p(${config.data.sources[0] ?? ''}) - p(${config.data.sources[1] ?? ''})| per tag: ${diff.toFixed(4)}`);
    }
  } finally {
    await model.close();
  }
}

await main();
