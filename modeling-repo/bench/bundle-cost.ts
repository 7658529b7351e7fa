/**
 * Inference cost of exported bundles, side by side in one process:
 *   npx tsx bench/bundle-cost.ts BUNDLE_DIR [BUNDLE_DIR ...]
 * prints, per bundle, the median ms of one run on a batch of 64 chips and on a single chip. The
 * bundles take turns (round robin), so a machine whose load changes affects them alike.
 */
import { resolve } from 'node:path';
import { chipBytes } from '../src/data/index.js';
import { readBundle } from '../src/export/index.js';
import { ModelRunner } from '../src/inference/model-runner.js';

const BATCH = 64;
const ROUNDS = 7;
const BYTE = 256;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timeOnce(runner: ModelRunner, chips: Uint8Array, count: number): Promise<number> {
  const began = performance.now();
  await runner.predict(chips.subarray(0, count * chipBytes(runner.size)), count);
  return performance.now() - began;
}

const dirs = process.argv.slice(2).map((dir) => resolve(dir));
if (dirs.length === 0) throw new Error('usage: npx tsx bench/bundle-cost.ts BUNDLE_DIR [BUNDLE_DIR ...]');
const runners = await Promise.all(dirs.map(async (dir) => {
  const { card, modelBytes } = await readBundle(dir);
  return ModelRunner.create(modelBytes, card.input.size);
}));
const size = runners[0]?.size ?? 0;
// Chip content does not change the cost of these graphs; fixed pseudo-random bytes.
const chips = Uint8Array.from({ length: BATCH * chipBytes(size) }, (_, i) => (i * 7919) % BYTE);
const batchMs = dirs.map((): number[] => []);
const singleMs = dirs.map((): number[] => []);
for (const runner of runners) await timeOnce(runner, chips, BATCH);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, runner] of runners.entries()) {
    batchMs[i]?.push(await timeOnce(runner, chips, BATCH));
    singleMs[i]?.push(await timeOnce(runner, chips, 1));
  }
}
dirs.forEach((dir, i) => {
  console.log(`${dir}: ${median(batchMs[i] ?? []).toFixed(1)} ms per batch of ${BATCH}, ${median(singleMs[i] ?? []).toFixed(1)} ms per single chip`);
});
await Promise.all(runners.map((r) => r.close()));
