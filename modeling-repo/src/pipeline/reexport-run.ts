import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { subsetChips, type ChipSet } from '../data/index.js';
import { tuneThresholds, type ThresholdResult } from '../eval/index.js';
import { evaluateProbabilities, type EvaluationReport } from '../metric/index.js';
import type { ModelCard } from '../export/index.js';
import { ModelRunner } from '../inference/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { loadCheckpoint, Evaluator, flatLayout, createSession, kernelBlock, buildEvalGraph } from '../train/index.js';
import { buildModel, type BuiltModel } from './build-model.js';
import { exportGraph, exportRun } from './export-run.js';
import { prepareData } from './prepare-data.js';

/** Chips the exported model is checked against the training graph on (as at the end of training). */
const AGREEMENT_CHIPS = 64;
const EVAL_BATCH = 64;
/** The inference cost is the median of this many runs of one batch. */
const TIMING_BATCH = 64;
const TIMING_REPEATS = 7;

export interface ReexportResult {
  readonly dir: string;
  readonly card: ModelCard;
  readonly tuned: ThresholdResult;
  readonly atTuned: EvaluationReport;
  /** Median ms for one run of a batch of `timingBatch` chips: the shipped model and the classifier alone. */
  readonly msPerBatch: { readonly shipped: number; readonly plain: number };
  readonly timingBatch: number;
}

/** The training graph's probabilities on the first validation chips, for the exported model's agreement check. */
async function trainingGraphReference(config: Config, model: BuiltModel, best: Float32Array, validation: ChipSet): Promise<Float32Array> {
  const layout = flatLayout(model.dynamic.graph, model.trainable);
  const block = await kernelBlock(config.kernels, config.device);
  const session = await createSession(toOnnxBytes(buildEvalGraph(model.dynamic.graph, layout, 'N', block)), { device: config.device, threads: config.threads });
  const evaluator = new Evaluator(session, EVAL_BATCH);
  try {
    const rows = Array.from({ length: Math.min(AGREEMENT_CHIPS, validation.names.length) }, (_, i) => i);
    return (await evaluator.predict(best, subsetChips(validation, rows))).probabilities;
  } finally {
    await evaluator.close();
  }
}

/** Validation probabilities and the cost of one batch, from the exported bytes themselves (what the service runs). */
async function scoreModel(bytes: Uint8Array, size: number, validation: ChipSet): Promise<{ probabilities: Float32Array; ms: number }> {
  const runner = await ModelRunner.create(bytes, size);
  try {
    const probabilities = await runner.predictSet(validation);
    return { probabilities, ms: await runner.timeBatch(validation, TIMING_BATCH, TIMING_REPEATS) };
  } finally {
    await runner.close();
  }
}

async function trainingSeconds(runDir: string): Promise<number> {
  try {
    const card = JSON.parse(await readFile(join(runDir, 'bundle', 'model.json'), 'utf8')) as ModelCard;
    return card.training.seconds;
  } catch {
    return 0;
  }
}

/** Which parameters of a checkpoint to export: the best epoch's (what training exports) or the last epoch's (its weight average with train.emaDecay). */
export type CheckpointChoice = 'best' | 'last';

/**
 * The chosen parameters; the last epoch's are the weight average where the run kept one, else the
 * first third of the training state (parameters, then AdamW moments).
 */
function chosenParams(checkpoint: { readonly best: Float32Array; readonly state: Float32Array; readonly average?: Float32Array }, choice: CheckpointChoice): Float32Array {
  if (choice === 'best') return checkpoint.best;
  return checkpoint.average ?? checkpoint.state.subarray(0, checkpoint.best.length);
}

/**
 * Exports a finished run's best checkpoint again under (possibly) new export settings, e.g.
 * `export.tta=true`: same data and validation split as the run, thresholds tuned on the new
 * model's own validation probabilities, the usual golden and agreement checks.
 */
export async function reexportRun(runDir: string, config: Config, log: (line: string) => void, choice: CheckpointChoice = 'best'): Promise<ReexportResult> {
  const data = await prepareData(config, log);
  log(`split: ${data.train.names.length} training, ${data.validation.names.length} validation chips (${data.splitDescription})`);
  const model = await buildModel(config);
  const params = chosenParams(await loadCheckpoint(join(runDir, 'checkpoint')), choice);
  const names = flatLayout(model.dynamic.graph, model.trainable).slots.map((slot) => slot.name);
  const tta = config.export.tta === true;
  const plainBytes = exportGraph(model.dynamic.graph, names, params);
  const modelBytes = tta ? exportGraph(model.dynamic.graph, names, params, { tta }) : plainBytes;
  const size = config.model.inputSize;
  const shipped = await scoreModel(modelBytes, size, data.validation);
  const plainMs = tta ? (await scoreModel(plainBytes, size, subsetChips(data.validation, [...Array(TIMING_BATCH).keys()]))).ms : shipped.ms;
  const tuned = tuneThresholds(shipped.probabilities, data.validation.targets, {
    start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes,
  });
  const atTuned = evaluateProbabilities(shipped.probabilities, data.validation.targets, tuned.thresholds);
  const reference = await trainingGraphReference(config, model, params, data.validation);
  const exported = await exportRun({
    config, data, modelBytes, ...(tta ? { plainModelBytes: plainBytes } : {}), validationProbabilities: reference,
    tuned, atTuned, backbone: model.backbone, seconds: await trainingSeconds(runDir), runDir,
  }, log);
  return { dir: exported.dir, card: exported.card, tuned, atTuned, msPerBatch: { shipped: shipped.ms, plain: plainMs }, timingBatch: TIMING_BATCH };
}
