import type { Config } from '../config/index.js';
import { DECODE_DESCRIPTION, LABELS, decodeChip } from '../data/index.js';
import { tuneThresholds, type ThresholdResult } from '../eval/index.js';
import { evaluateProbabilities, type EvaluationReport } from '../metric/index.js';
import {
  CARD_SCHEMA, computeGolden, modelVersion, readBundle, verifyGolden, writeBundle, type EnsembleMember, type ModelCard,
} from '../export/index.js';
import { averageModels } from '../compose/index.js';
import { maxAbsDiff, ModelRunner } from '../inference/index.js';
import { fromOnnxBytes, toOnnxBytes } from '../onnx/index.js';
import { AGREEMENT_TOLERANCE, FOLD_RECORD_SEPARATOR, GOLDEN_TOLERANCE, gitCommit, goldenInputs, type PreparedData } from '../pipeline/index.js';
import type { LoadedMember } from './member.js';
import { completeFolds, memberFold, outOfFoldThresholds, type OutOfFoldResult } from './out-of-fold.js';

/**
 * Merges trained bundles into one: one model.onnx that averages the members' probabilities
 * (compose/ensemble.ts), thresholds tuned again (on the merged model's own validation
 * probabilities, or for the K folds of one K-fold split on the members' out-of-fold predictions,
 * out-of-fold.ts), golden chips computed by the merged model, and a card listing the members.
 */

const AGREEMENT_CHIPS = 64;
const AVERAGE_RULE = 'mean of the members\' probabilities, inside model.onnx';

export interface MergeResult {
  readonly card: ModelCard;
  /** The merged model on the validation chips at the card's thresholds. */
  readonly atThresholds: EvaluationReport;
  /** Thresholds tuned on the validation chips themselves (the card's, unless the members are K folds). */
  readonly validationTuned: ThresholdResult;
  /** For K-fold members: the thresholds the card uses, tuned on every training chip out of fold. */
  readonly outOfFold?: OutOfFoldResult;
  /** Each member alone on the same validation chips, at its own card's thresholds (for comparison). */
  readonly memberF2: readonly number[];
}

export async function loadMembers(dirs: readonly string[]): Promise<LoadedMember[]> {
  if (dirs.length < 2) throw new Error(`an ensemble needs two or more bundles, got ${dirs.length}`);
  return Promise.all(dirs.map(async (dir) => ({ dir, ...(await readBundle(dir)) })));
}

/** A member's chips are the merge's, or a fold of them (its card adds "; fold k of K ..." after them). */
function sameChips(recorded: string, description: string): boolean {
  return recorded === description || recorded.startsWith(`${description}${FOLD_RECORD_SEPARATOR}fold `);
}

/** What every member must share with the first one, and with the data the thresholds are tuned on. */
function memberProblems(member: LoadedMember, first: ModelCard, data: PreparedData): string[] {
  const { card, dir } = member;
  const problems: string[] = [];
  if (card.labels.join(',') !== LABELS.join(',')) problems.push(`${dir}: labels differ from the 17 competition tags in order`);
  if (JSON.stringify(card.input) !== JSON.stringify(first.input)) {
    problems.push(`${dir}: input contract (size ${card.input.size}, resize ${JSON.stringify(card.input.resize)}) differs from the first member's (size ${first.input.size}, resize ${JSON.stringify(first.input.resize)})`);
  }
  if (card.onnx.opset !== first.onnx.opset) problems.push(`${dir}: ONNX opset ${card.onnx.opset}, the first member has ${first.onnx.opset}`);
  // Thresholds tuned on chips a member trained on would flatter the ensemble.
  if (card.metrics.split !== data.splitDescription || !sameChips(card.training.data, data.description)) {
    problems.push(`${dir}: validated on "${card.metrics.split}" of "${card.training.data}", but the merge tunes on "${data.splitDescription}" of "${data.description}"; ` +
      'members must share the validation split, or their training chips leak into it');
  }
  return problems;
}

export function checkMembers(members: readonly LoadedMember[], data: PreparedData): void {
  const first = members[0]?.card;
  if (first === undefined) throw new Error('an ensemble needs members');
  const problems = members.flatMap((member) => memberProblems(member, first, data));
  if (problems.length > 0) throw new Error(`cannot merge these bundles:\n  ${problems.join('\n  ')}`);
}

function memberEntry(member: LoadedMember): EnsembleMember {
  const { card } = member;
  return {
    name: card.name, version: card.version, onnxSha256: card.onnx.sha256, experiment: card.training.experiment,
    f2: card.metrics.f2, f2AtThreshold0_2: card.metrics.f2AtThreshold0_2, testTimeAugmentation: card.inference?.testTimeAugmentation === true,
  };
}

interface Scores {
  readonly thresholds: readonly number[];
  readonly atThresholds: EvaluationReport;
  readonly validationTuned: ThresholdResult;
  readonly outOfFold?: OutOfFoldResult;
}

/** Where the card's thresholds come from, recorded with the merge's configuration. */
function thresholdSource(scores: Scores): string {
  const oof = scores.outOfFold;
  return oof === undefined ? 'tuned on the validation chips' : `tuned on out-of-fold predictions of ${oof.images} training chips (K-fold members)`;
}

function mergedCard(config: Config, members: readonly LoadedMember[], data: PreparedData, scores: Scores): Omit<ModelCard, 'onnx'> {
  const first = members[0]?.card;
  if (first === undefined) throw new Error('an ensemble needs members');
  const now = new Date();
  const commit = gitCommit();
  const backbones = [...new Set(members.map((m) => m.card.backbone.name))];
  return {
    schema: CARD_SCHEMA, name: `${first.name}-ensemble${members.length}`, version: modelVersion(now, commit), createdAt: now.toISOString(),
    labels: [...LABELS],
    thresholds: Object.fromEntries(LABELS.map((label, c) => [label, Number((scores.thresholds[c] ?? 0).toFixed(4))])),
    input: { ...first.input, decode: DECODE_DESCRIPTION },
    output: first.output,
    metrics: {
      f2: scores.atThresholds.f2, f2AtThreshold0_2: scores.validationTuned.f2Before, perClass: scores.atThresholds.perClass,
      split: data.splitDescription, images: scores.atThresholds.images,
    },
    backbone: backbones.length === 1 ? first.backbone : { name: backbones.join(' + '), source: 'see ensemble.members', sha256: first.backbone.sha256 },
    training: {
      experiment: 'ensemble', config: { members: members.map((m) => m.dir), thresholds: config.eval, thresholdSource: thresholdSource(scores) },
      gitCommit: commit, device: first.training.device,
      seconds: members.reduce((sum, m) => sum + m.card.training.seconds, 0), data: data.description,
    },
    ensemble: { members: members.map(memberEntry), rule: AVERAGE_RULE },
  };
}

/** Validation probabilities of every member alone, and the merged model's. */
async function predictAll(members: readonly LoadedMember[], merged: Uint8Array, data: PreparedData): Promise<{ merged: Float32Array; members: Float32Array[] }> {
  const size = data.validation.size;
  const each: Float32Array[] = [];
  for (const member of members) {
    const runner = await ModelRunner.create(member.modelBytes, size);
    try {
      each.push(await runner.predictSet(data.validation));
    } finally {
      await runner.close();
    }
  }
  const runner = await ModelRunner.create(merged, size);
  try {
    return { merged: await runner.predictSet(data.validation), members: each };
  } finally {
    await runner.close();
  }
}

/** The merged graph must give the mean of what the members give alone, chip by chip. */
function checkAverage(merged: Float32Array, members: readonly Float32Array[], size: number): number {
  const n = Math.min(AGREEMENT_CHIPS * LABELS.length, merged.length);
  const mean = new Float32Array(n);
  for (const p of members) for (let i = 0; i < n; i++) mean[i] = (mean[i] ?? 0) + (p[i] ?? 0) / members.length;
  const worst = maxAbsDiff(merged.subarray(0, n), mean);
  if (worst > AGREEMENT_TOLERANCE) throw new Error(`merged model differs from the mean of its members by ${worst} (chips of ${size}px)`);
  return worst;
}

/** The card's thresholds: out of fold for the K folds of one split, else tuned on validation. */
async function chooseThresholds(config: Config, data: PreparedData, members: readonly LoadedMember[], merged: Float32Array): Promise<Scores> {
  const targets = data.validation.targets;
  const options = { start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes };
  const validationTuned = tuneThresholds(merged, targets, options);
  const folds = completeFolds(members.map((m) => m.dir), members.map((m) => memberFold(m.card.training.config)));
  const outOfFold = folds === undefined ? undefined : await outOfFoldThresholds(config, data, members, folds);
  const thresholds = outOfFold?.tuned.thresholds ?? validationTuned.thresholds;
  const atThresholds = evaluateProbabilities(merged, targets, thresholds);
  return { thresholds, atThresholds, validationTuned, ...(outOfFold === undefined ? {} : { outOfFold }) };
}

/** Writes the merged bundle into `outDir` and proves it (average, golden round trip). */
export async function mergeBundles(
  config: Config, data: PreparedData, members: readonly LoadedMember[], outDir: string, log: (line: string) => void,
): Promise<MergeResult> {
  checkMembers(members, data);
  const opset = members[0]?.card.onnx.opset ?? 0;
  const modelBytes = toOnnxBytes(averageModels(members.map((m) => fromOnnxBytes(m.modelBytes))), { opset, producer: 'planet-modeling' });
  const predictions = await predictAll(members, modelBytes, data);
  const worst = checkAverage(predictions.merged, predictions.members, data.validation.size);
  const scores = await chooseThresholds(config, data, members, predictions.merged);
  const targets = data.validation.targets;
  const memberF2 = members.map((m, i) => evaluateProbabilities(predictions.members[i] ?? new Float32Array(), targets, m.card.labels.map((l) => m.card.thresholds[l] ?? 0)).f2);
  const size = data.validation.size;
  const decode = (jpeg: Uint8Array, name: string): Promise<Uint8Array> => decodeChip(jpeg, size, name);
  const golden = await computeGolden(modelBytes, size, await goldenInputs(config, data), decode);
  const card = await writeBundle(outDir, { modelBytes, card: mergedCard(config, members, data, scores), opset, golden });
  const roundTrip = await verifyGolden(modelBytes, size, golden, decode);
  if (roundTrip > GOLDEN_TOLERANCE) throw new Error(`merged bundle's golden chips do not round-trip (${roundTrip})`);
  log(`merge: ${members.length} members, merged vs mean of members max |diff| ${worst.toExponential(2)}, golden round trip ${roundTrip.toExponential(2)}, ${modelBytes.length} bytes`);
  const { atThresholds, validationTuned, outOfFold } = scores;
  return { card, atThresholds, validationTuned, ...(outOfFold === undefined ? {} : { outOfFold }), memberF2 };
}
