/**
 * Data-loading throughput: cold decoding (JPEG -> S x S chip) of thumbnails and full-size chips,
 * reading the chip cache, building augmented batches, the stratified split and threshold tuning.
 *   npx tsx bench/data.ts [limit]     (limit: thumbnails to decode cold, default 5000; 0 = all)
 * Uses $PLANET_DATA_DIR (default ../shared/planet beside the repository), else synthetic chips.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import {
  BatchLoader, DIHEDRAL, decodeEntries, listSource, loadChipSet, makeSynthetic, readLabels, stratifiedSplit,
  writeKaggleLayout, type ChipSet, type ImageEntry,
} from '../src/data/index.js';
import { tuneThresholds } from '../src/eval/index.js';
import { createRng } from '../src/util/random.js';

const DATA = resolve(process.env.PLANET_DATA_DIR ?? join(process.cwd(), '..', '..', 'shared', 'planet'));
const limitArg = Number(process.argv[2] ?? '5000');
const rate = (count: number, ms: number): string => `${Math.round((count * 1000) / ms)} images/s`;

async function timed<T>(label: string, count: number, run: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(46)} ${String(count).padStart(6)} in ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(count, ms)}`);
  return result;
}

async function coldDecode(entries: readonly ImageEntry[], label: string, size: number): Promise<void> {
  await timed(label, entries.length, () => decodeEntries(entries, size, false));
}

async function planetSet(cacheDir: string): Promise<ChipSet> {
  const labels = await readLabels(join(DATA, 'train_v2.csv'), 'fail');
  const names = limitArg > 0 ? labels.names.slice(0, limitArg) : labels.names;
  const thumbs = await listSource(join(DATA, 'train-jpg-32.tar'), 0, new Set(names));
  await coldDecode(thumbs, 'cold decode, 32x32 thumbnails (tar in memory)', 32);
  const fullNames = (await readdir(join(DATA, 'train-jpg'))).map((file) => file.replace(/\.jpg$/, ''));
  const full = await listSource(join(DATA, 'train-jpg'), 1, new Set(fullNames));
  await coldDecode(full, 'cold decode, 256x256 chips -> 32 (from disk)', 32);
  const options = {
    labels: join(DATA, 'train_v2.csv'), sources: [join(DATA, 'train-jpg'), join(DATA, 'train-jpg-32.tar')],
    size: 32, onInvalid: 'fail', cacheDir, progress: false,
  } as const;
  const all = (await loadChipSet(options)).set;
  const cached = await timed('load all chips from the cache', all.names.length, () => loadChipSet(options));
  if (!cached.report.fromCache) throw new Error('expected a cache hit');
  return cached.set;
}

async function syntheticSet(dir: string): Promise<ChipSet> {
  console.log(`${DATA} is absent: using synthetic chips`);
  const made = makeSynthetic({ count: 2000, size: 32, seed: 1 });
  const layout = await writeKaggleLayout(made, join(dir, 'synthetic'));
  const options = { ...layout, size: 32, onInvalid: 'fail', cacheDir: join(dir, 'cache'), progress: false } as const;
  await timed('cold decode, synthetic 32x32 JPEGs', made.names.length, () => loadChipSet(options));
  return (await timed('load from the cache', made.names.length, () => loadChipSet(options))).set;
}

async function batches(set: ChipSet, batchSize: number): Promise<void> {
  const jitters = [undefined, { probability: 1, strength: 1 }] as const;
  for (const sharpness of jitters) {
    const loader = new BatchLoader(set, {
      batchSize, seed: 1, shuffle: true, lastBatch: 'drop', augment: [...DIHEDRAL], ...(sharpness === undefined ? {} : { sharpness }),
    });
    const count = loader.batchesPerEpoch * batchSize;
    const label = `one epoch of batches (B=${batchSize}, S=${set.size}, 8 transforms${sharpness === undefined ? '' : ', sharpness on all'})`;
    await timed(label, count, async () => {
      let checksum = 0;
      for await (const batch of loader.epoch(0)) checksum += batch.images[0] ?? 0;
      return checksum;
    });
  }
}

function thresholds(): void {
  const rng = createRng(1);
  const n = 7000 * 17;
  const targets = Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
  const probs = targets.map((t) => Math.min(1, Math.max(0, t * 0.5 + rng.next() * 0.5)));
  const started = performance.now();
  const result = tuneThresholds(probs, targets, { passes: 2 });
  console.log(`threshold tuning, 7000 x 17, 2 passes: ${(performance.now() - started).toFixed(0)} ms ` +
    `(F2 ${result.f2Before.toFixed(4)} -> ${result.f2After.toFixed(4)})`);
}

const dir = await mkdtemp(join(tmpdir(), 'bench-data-'));
try {
  const set = existsSync(join(DATA, 'train_v2.csv')) ? await planetSet(join(dir, 'cache')) : await syntheticSet(dir);
  await batches(set, 32);
  await batches(set, 128);
  await timed('stratified split (20% validation)', set.names.length, () => stratifiedSplit(set.targets, 0.2, 1));
  thresholds();
} finally {
  await rm(dir, { recursive: true, force: true });
}
