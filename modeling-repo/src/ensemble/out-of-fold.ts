import { isPlainObject, type Config } from '../config/index.js';
import { NUM_LABELS, subsetChips } from '../data/index.js';
import { tuneThresholds, type ThresholdResult } from '../eval/index.js';
import { ModelRunner } from '../inference/index.js';
import type { LoadedMember } from './member.js';
import { foldDescription, trainingFolds, type PreparedData } from '../pipeline/index.js';

/**
 * Out-of-fold thresholds for a K-fold ensemble. Each member trained on all folds of the training
 * side but one (`data.folds`); scored on the fold it left out, the members together give one
 * prediction for every training chip from a model that never trained on it. Thresholds tuned on
 * those (about 29k chips) instead of the 7k validation chips are not fitted to the chips the
 * ensemble is then scored on, so the validation F2 at them is an unbiased estimate.
 */

/** Which fold a member left out, read from the configuration its card records. */
export interface MemberFold {
  readonly count: number;
  readonly index: number;
}

export interface OutOfFoldResult {
  /** Thresholds tuned on the out-of-fold predictions; f2After is their out-of-fold F2. */
  readonly tuned: ThresholdResult;
  /** Training chips scored (every fold once). */
  readonly images: number;
}

/** `data.folds` of a member's recorded configuration; undefined for a member trained without folds. */
export function memberFold(config: unknown): MemberFold | undefined {
  const data = isPlainObject(config) ? config.data : undefined;
  const folds = isPlainObject(data) ? data.folds : undefined;
  if (!isPlainObject(folds) || typeof folds.count !== 'number' || typeof folds.index !== 'number' || folds.count < 2) return undefined;
  return { count: folds.count, index: folds.index };
}

/** The members' folds when they are exactly the K folds of one K-fold split; throws on a mixed or partial set. */
export function completeFolds(dirs: readonly string[], folds: readonly (MemberFold | undefined)[]): MemberFold[] | undefined {
  const present = folds.filter((fold): fold is MemberFold => fold !== undefined);
  if (present.length === 0) return undefined;
  if (present.length !== folds.length) {
    const plain = dirs.filter((_dir, i) => folds[i] === undefined);
    throw new Error(`cannot merge K-fold members with members trained without data.folds: ${plain.join(', ')}`);
  }
  const count = present[0]?.count ?? 0;
  const wrongCount = dirs.filter((_dir, i) => folds[i]?.count !== count);
  if (wrongCount.length > 0) throw new Error(`K-fold members must share data.folds.count=${count}; these differ: ${wrongCount.join(', ')}`);
  const indices = present.map((fold) => fold.index).sort((a, b) => a - b);
  const expected = Array.from({ length: count }, (_, j) => j);
  if (indices.join(',') !== expected.join(',')) {
    const got = dirs.map((dir, i) => `${dir} (data.folds.index=${String(folds[i]?.index)})`).join(', ');
    throw new Error(`K-fold members must be the folds ${expected.join(', ')} of data.folds.count=${count}, once each; got ${got}`);
  }
  return present;
}

/**
 * The fold recomputed here must be the one the member left out, row for row (its card records the
 * fold's size and row digest): else its "out-of-fold" predictions would include chips it trained on.
 */
function checkLeftOut(member: LoadedMember, expected: string): void {
  if (member.card.training.data.includes(expected)) return;
  throw new Error(
    `${member.dir}: its card does not record the fold this merge recomputes, so its out-of-fold predictions cannot be trusted; `
    + `expected training.data to include "${expected}", got "${member.card.training.data}" `
    + '(same data, data.valFraction, seed and data.splitSeed as the run? a bundle exported before folds were recorded: npm run export -- run=RUN)',
  );
}

/** Scores every member on the fold it left out and tunes the thresholds on all of them together. */
export async function outOfFoldThresholds(
  config: Config, data: PreparedData, members: readonly LoadedMember[], folds: readonly MemberFold[],
): Promise<OutOfFoldResult> {
  const count = folds[0]?.count ?? 0;
  const seed = config.data.splitSeed ?? config.seed;
  const { rows } = trainingFolds(data.all, data.split, { count, index: 0 }, seed);
  const parts: { probabilities: Float32Array; targets: Float32Array }[] = [];
  for (const [i, member] of members.entries()) {
    const index = folds[i]?.index ?? 0;
    checkLeftOut(member, foldDescription(rows, index, seed));
    const chips = subsetChips(data.all, rows[index] ?? new Uint32Array());
    const runner = await ModelRunner.create(member.modelBytes, chips.size);
    try {
      parts.push({ probabilities: await runner.predictSet(chips), targets: chips.targets });
    } finally {
      await runner.close();
    }
  }
  const probabilities = concat(parts.map((part) => part.probabilities));
  const targets = concat(parts.map((part) => part.targets));
  const tuned = tuneThresholds(probabilities, targets, { start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes });
  return { tuned, images: targets.length / NUM_LABELS };
}

function concat(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
