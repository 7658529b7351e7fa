import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BackboneProvenance } from '../backbone/index.js';
import type { Config } from '../config/index.js';
import { IMAGE, PROBABILITIES } from '../contract/index.js';
import { DECODE_DESCRIPTION, LABELS, chipBytes, decodeChip, resizeChain } from '../data/index.js';
import type { ThresholdResult } from '../eval/index.js';
import type { EvaluationReport } from '../metric/index.js';
import {
  CARD_SCHEMA, computeGolden, goldenFromChips, goldenFromSources, modelVersion, publishBundle, verifyGolden, writeBundle,
  type GoldenInput, type ModelCard,
} from '../export/index.js';
import { GraphBuilder, type Graph } from '../graph/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { TTA_VIEWS, withTestTimeAugmentation } from '../compose/index.js';
import { dihedralMean, maxAbsDiff, ModelRunner } from '../inference/index.js';
import { bakeParams } from '../train/index.js';
import { recordedChips, type PreparedData } from './prepare-data.js';

export const EXPORT_OPSET = 17;
/** Golden probabilities must round-trip this closely (the service is held to 1e-4). */
export const GOLDEN_TOLERANCE = 1e-6;
/** The exported model must agree with the training graph's evaluation path this closely. */
export const AGREEMENT_TOLERANCE = 1e-5;
const AGREEMENT_CHIPS = 64;
/** The card keeps the wall time to a tenth of a second (a smoke run takes under one). */
const DECISECONDS = 10;

/**
 * The classifier with trained parameters baked in and only the contract's output; with `tta`,
 * wrapped in eight-view test-time augmentation (compose/tta.ts).
 */
export function exportGraph(dynamic: Graph, names: readonly string[], best: Float32Array, options: { readonly tta?: boolean } = {}): Uint8Array {
  const b = GraphBuilder.from(bakeParams(dynamic, names, best));
  b.removeOutputs();
  b.output(PROBABILITIES);
  const plain = { ...b.build({ prune: true }), name: 'planet-classifier' };
  const graph = options.tta === true ? withTestTimeAugmentation(plain) : plain;
  return toOnnxBytes(graph, { opset: EXPORT_OPSET, producer: 'planet-modeling' });
}

/** What the card says about test-time augmentation, when the model does it. */
export const TTA_CARD = {
  testTimeAugmentation: true,
  views: TTA_VIEWS,
  description: 'model.onnx scores every chip in its 8 flips and rotations (the dihedral group of the square) and returns the mean of the 8 probability vectors',
} as const;

/** The checkout's HEAD, else GIT_COMMIT (set in images, which have no .git), else empty. */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return process.env.GIT_COMMIT ?? '';
  }
}

export async function goldenInputs(config: Config, data: PreparedData): Promise<GoldenInput[]> {
  const count = config.export.goldenCount;
  if (data.synthetic) return goldenFromChips(data.all, Array.from(data.split.validation), count);
  const names = Array.from(data.split.validation, (row) => data.all.names[row] ?? '');
  return goldenFromSources(config.data.sources, names, count);
}

/** Largest difference between the exported model and the training graph's probabilities on some validation chips. */
async function agreement(modelBytes: Uint8Array, data: PreparedData, expected: Float32Array): Promise<number> {
  const n = Math.min(AGREEMENT_CHIPS, data.validation.names.length);
  const size = data.validation.size;
  const session = await ort.InferenceSession.create(modelBytes);
  try {
    const image = new ort.Tensor('uint8', data.validation.images.subarray(0, n * chipBytes(size)), [n, size, size, 3]);
    const got = (await session.run({ [IMAGE]: image }))[PROBABILITIES]?.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < n * LABELS.length; i++) worst = Math.max(worst, Math.abs((got[i] ?? 0) - (expected[i] ?? 0)));
    return worst;
  } finally {
    await session.release();
  }
}

/**
 * The test-time augmentation graph against the plain model run on the pipeline's own eight
 * transforms of the same chips: proves the in-graph flips are the training augmentation's.
 */
async function ttaAgreement(modelBytes: Uint8Array, plainBytes: Uint8Array, data: PreparedData): Promise<number> {
  const n = Math.min(AGREEMENT_CHIPS, data.validation.names.length);
  const size = data.validation.size;
  const chips = data.validation.images.subarray(0, n * chipBytes(size));
  const [tta, plain] = await Promise.all([ModelRunner.create(modelBytes, size), ModelRunner.create(plainBytes, size)]);
  try {
    return maxAbsDiff(await tta.predict(chips, n), await dihedralMean(plain, chips, n));
  } finally {
    await Promise.all([tta.close(), plain.close()]);
  }
}

export interface ExportInput {
  readonly config: Config;
  readonly data: PreparedData;
  readonly modelBytes: Uint8Array;
  /** The classifier without test-time augmentation, when `modelBytes` has it (export.tta). */
  readonly plainModelBytes?: Uint8Array;
  /** The training graph's validation probabilities (without test-time augmentation), for the agreement check. */
  readonly validationProbabilities: Float32Array;
  readonly tuned: ThresholdResult;
  readonly atTuned: EvaluationReport;
  readonly backbone: BackboneProvenance;
  readonly seconds: number;
  readonly runDir: string;
}

function card(input: ExportInput, now: Date): Omit<ModelCard, 'onnx'> {
  const { config, tuned, atTuned, data } = input;
  const commit = gitCommit();
  return {
    schema: CARD_SCHEMA, name: config.model.name, version: modelVersion(now, commit), createdAt: now.toISOString(),
    labels: [...LABELS],
    thresholds: Object.fromEntries(LABELS.map((label, c) => [label, Number((tuned.thresholds[c] ?? 0).toFixed(4))])),
    input: {
      name: IMAGE, size: config.model.inputSize, layout: 'NHWC', dtype: 'uint8', colour: 'RGB',
      decode: DECODE_DESCRIPTION, resize: resizeChain(config.model.inputSize),
    },
    output: { name: PROBABILITIES, activation: 'sigmoid' },
    metrics: {
      f2: tuned.f2After, f2AtThreshold0_2: tuned.f2Before, perClass: atTuned.perClass,
      split: data.splitDescription, images: atTuned.images,
    },
    backbone: { name: input.backbone.name, source: input.backbone.source, sha256: input.backbone.sha256 },
    training: {
      experiment: config.experiment, config, gitCommit: commit, device: config.device,
      seconds: Math.round(input.seconds * DECISECONDS) / DECISECONDS,
      data: recordedChips(data),
    },
    ...(input.plainModelBytes === undefined ? {} : { inference: TTA_CARD }),
  };
}

/**
 * Writes the bundle into the run folder, proves it (golden round trip, agreement with the
 * training graph) and publishes a copy to `export.publishDir`.
 */
export async function exportRun(input: ExportInput, log: (line: string) => void): Promise<{ dir: string; card: ModelCard }> {
  const { config, modelBytes } = input;
  const size = config.model.inputSize;
  const decode = (jpeg: Uint8Array, name: string): Promise<Uint8Array> => decodeChip(jpeg, size, name);
  const golden = await computeGolden(modelBytes, size, await goldenInputs(config, input.data), decode);
  const dir = join(input.runDir, config.export.name);
  const written = await writeBundle(dir, { modelBytes, card: card(input, new Date()), opset: EXPORT_OPSET, golden });
  const roundTrip = await verifyGolden(modelBytes, size, golden, decode);
  const agree = await agreement(input.plainModelBytes ?? modelBytes, input.data, input.validationProbabilities);
  const tta = input.plainModelBytes === undefined ? 0 : await ttaAgreement(modelBytes, input.plainModelBytes, input.data);
  log(`export: golden round trip max |diff| ${roundTrip.toExponential(2)}, exported vs training graph max |diff| ${agree.toExponential(2)}` +
    (input.plainModelBytes === undefined ? '' : `, test-time augmentation vs 8 transformed chips max |diff| ${tta.toExponential(2)}`));
  if (roundTrip > GOLDEN_TOLERANCE || agree > AGREEMENT_TOLERANCE || tta > AGREEMENT_TOLERANCE) {
    throw new Error(`exported model does not reproduce the pipeline (golden ${roundTrip}, agreement ${agree}, test-time augmentation ${tta})`);
  }
  if (config.export.publishDir !== '') {
    await publishBundle(dir, config.export.publishDir);
    log(`export: bundle published to ${config.export.publishDir}`);
  }
  return { dir, card: written };
}
