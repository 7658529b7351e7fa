import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { BatchLoader, LABELS, NUM_LABELS, resolveDihedral, type ChipSet } from '../data/index.js';
import { tuneThresholds } from '../eval/index.js';
import { evaluateProbabilities } from '../metric/index.js';
import type { ModelCard } from '../export/index.js';
import { CompositeTracker, LocalTracker, createRunDir, type EvalRecord, type Tracker } from '../records/index.js';
import {
  loadCheckpoint, createEngines, gatherParams, initialState, initialLoopState, paramCountOf, trainEpochs, kernelBlock, trainingStepOptions, buildEvalGraph,
  buildTrainingGraph, positiveWeightsFor, type EvalEngine, type StepEngine, type EpochSummary, type LoopState,
} from '../train/index.js';
import { buildModel, type BuiltModel } from './build-model.js';
import { exportRun } from './export-run.js';
import { shippedModel } from './shipped-model.js';
import { prepareData, type PreparedData } from './prepare-data.js';

const EVAL_BATCH = 128;
const MS = 1000;

export interface TrainRunOptions {
  readonly config: Config;
  /** Where each configuration key came from (saved with the run). */
  readonly sources?: Readonly<Record<string, string>>;
  /** Continue the run in this folder from its last checkpoint. */
  readonly resumeDir?: string;
  /** Trackers beyond the local run records (e.g. ClearML); their failures never stop training. */
  readonly extraTrackers?: readonly Tracker[];
  readonly log?: (line: string) => void;
  /** Aborting stops the run after the current epoch, leaving a checkpoint to resume from. */
  readonly signal?: AbortSignal;
}

/** The run was stopped on request after an epoch; its checkpoint lets it resume. */
export class RunInterrupted extends Error {
  override readonly name = 'RunInterrupted';
  constructor(readonly runDir: string, readonly epochs: number) {
    super(`stopped after epoch ${epochs}; continue with: npm run train -- resume=${runDir}`);
  }
}

export interface TrainRunResult {
  readonly runDir: string;
  readonly bundleDir: string;
  readonly card: ModelCard;
  readonly epochs: readonly EpochSummary[];
}

interface Engines {
  readonly runner: StepEngine;
  readonly evaluator: EvalEngine;
  readonly close: () => Promise<void>;
  readonly names: readonly string[];
  readonly initial: Float32Array;
  /** NCHWc block size of the graphs, 0 for plain NCHW graphs. */
  readonly nchwcBlock: number;
}

/** Per-class positive weights of the loss from the training split's tag frequencies (train.positiveWeight), or none. */
function lossWeights(config: Config, train: ChipSet): { positiveWeights?: number[] } {
  const setting = config.train.positiveWeight;
  if (setting === undefined || setting.power === 0) return {};
  return { positiveWeights: positiveWeightsFor(train.targets, NUM_LABELS, setting.power, setting.max) };
}

/** Steps per run of a configuration saved before train.stepsPerRun existed: one, as it trained. */
const DEFAULT_STEPS_PER_RUN = 1;

async function startEngines(config: Config, model: BuiltModel, train: ChipSet): Promise<Engines> {
  const nchwcBlock = await kernelBlock(config.kernels, config.device);
  const { graph, layout, intermediateBytes } = buildTrainingGraph(model.training.graph, {
    batch: config.train.batchSize,
    trainable: model.trainable,
    optimizer: { beta1: config.train.beta1, beta2: config.train.beta2, eps: config.train.eps, weightDecay: config.train.weightDecay },
    lrMultipliers: config.train.lrMultipliers,
    nchwcBlock,
    labelSmoothing: config.train.labelSmoothing,
    ...lossWeights(config, train),
  });
  const engines = await createEngines({
    device: config.device, threads: config.threads, stepGraph: graph,
    evalGraph: buildEvalGraph(model.dynamic.graph, layout, 'N', nchwcBlock),
    stepOptions: trainingStepOptions(intermediateBytes), inputSize: config.model.inputSize, evalBatch: EVAL_BATCH,
    stepsPerRun: config.train.stepsPerRun ?? DEFAULT_STEPS_PER_RUN,
  });
  return {
    ...engines,
    names: layout.slots.map((slot) => slot.name),
    initial: initialState(gatherParams(model.training.graph, layout)),
    nchwcBlock,
  };
}

function epochRecord(summary: EpochSummary): Parameters<Tracker['onScalars']>[1] {
  return { kind: 'epoch', ...summary };
}

interface LoopContext {
  readonly runDir: string;
  readonly tracker: Tracker;
  readonly resume: boolean;
  readonly signal?: AbortSignal;
}

async function runLoop(config: Config, data: PreparedData, engines: Engines, context: LoopContext): Promise<{ final: LoopState; epochs: EpochSummary[] }> {
  const paramCount = paramCountOf(engines.initial.length);
  const averaged = (config.train.emaDecay ?? 0) > 0;
  const start = context.resume ? await loadCheckpoint(join(context.runDir, 'checkpoint')) : initialLoopState(engines.initial, paramCount, averaged);
  if (start.state.length !== engines.initial.length) {
    throw new Error(`checkpoint in ${context.runDir} holds ${start.state.length} values but the model needs ${engines.initial.length}: it was made by another configuration`);
  }
  if (averaged && start.average === undefined) {
    throw new Error(`checkpoint in ${context.runDir} has no weight average but train.emaDecay is ${String(config.train.emaDecay)}: it was made by another configuration`);
  }
  const loader = new BatchLoader(data.train, {
    batchSize: config.train.batchSize, seed: config.seed, shuffle: true, lastBatch: 'drop',
    augment: resolveDihedral(config.train.augment.dihedral),
    ...(config.train.augment.sharpness === undefined ? {} : { sharpness: config.train.augment.sharpness }),
    ...(config.train.augment.mixup === undefined ? {} : { mixup: config.train.augment.mixup }),
  });
  const epochs: EpochSummary[] = [];
  const final = await trainEpochs({
    loader, validation: data.validation, runner: engines.runner, evaluator: engines.evaluator, paramCount,
    schedule: { ...config.train, totalSteps: config.train.epochs * loader.batchesPerEpoch },
    emaDecay: config.train.emaDecay ?? 0, epochs: config.train.epochs, patience: config.train.earlyStopping.patience, minDelta: config.train.earlyStopping.minDelta,
    threshold: config.eval.thresholdStart, checkpointDir: join(context.runDir, 'checkpoint'), checkpointEvery: config.train.checkpointEvery,
    onEpoch: async (summary) => {
      epochs.push(summary);
      await context.tracker.onScalars(summary.step, epochRecord(summary));
      await context.tracker.onArtifact(join(context.runDir, 'checkpoint'), 'checkpoint');
    },
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  }, start);
  return { final, epochs };
}

function evalRecord(final: LoopState, tuned: ReturnType<typeof tuneThresholds>, report: ReturnType<typeof evaluateProbabilities>, loss: number, fixed: number): EvalRecord {
  return {
    kind: 'eval', split: 'val', step: final.meta.step, epoch: final.meta.bestEpoch, images: report.images,
    f2: tuned.f2After, f2AtFixedThreshold: tuned.f2Before, fixedThreshold: fixed, loss,
    thresholds: Object.fromEntries(LABELS.map((label, c) => [label, tuned.thresholds[c] ?? fixed])),
    perClass: report.perClass,
  };
}

async function trainAndExport(options: TrainRunOptions, runDir: string, tracker: Tracker, log: (line: string) => void): Promise<TrainRunResult> {
  const { config } = options;
  const began = performance.now();
  const data = await prepareData(config, log);
  log(`split: ${data.train.names.length} training, ${data.validation.names.length} validation chips (${data.splitDescription})`);
  if (data.fold !== undefined) log(`folds: ${data.fold.description}`);
  const model = await buildModel(config);
  log(`model: ${model.backbone.name}, ${model.trainable.length} trainable tensors (train.trainable=${config.train.trainable})`);
  const engines = await startEngines(config, model, data.train);
  const kernels = engines.nchwcBlock > 0 ? `NCHWc, block ${engines.nchwcBlock}` : 'plain NCHW';
  log(`engine: ${config.device}, ${kernels} kernels (kernels=${config.kernels}), ${config.threads === 0 ? 'all cores' : `${config.threads} threads`}`);
  try {
    const { final, epochs } = await runLoop(config, data, engines, {
      runDir, tracker, resume: options.resumeDir !== undefined, ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (options.signal?.aborted === true) throw new RunInterrupted(runDir, final.meta.epoch);
    const best = await engines.evaluator.predict(final.best, data.validation);
    const shipped = await shippedModel(config, model.dynamic.graph, engines.names, final.best, {
      set: data.validation, trainingProbabilities: best.probabilities,
    });
    const tuned = tuneThresholds(shipped.probabilities, data.validation.targets, {
      start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes,
    });
    const atTuned = evaluateProbabilities(shipped.probabilities, data.validation.targets, tuned.thresholds);
    await tracker.onScalars(final.meta.step, evalRecord(final, tuned, atTuned, best.loss, config.eval.thresholdStart));
    log(`validation F2 ${tuned.f2After.toFixed(4)} with tuned thresholds, ${tuned.f2Before.toFixed(4)} at ${config.eval.thresholdStart} (best epoch ${final.meta.bestEpoch}` +
      `${shipped.plainModelBytes === undefined ? '' : ', with test-time augmentation'})`);
    const exported = await exportRun({
      config, data, ...shipped, validationProbabilities: best.probabilities, tuned, atTuned, backbone: model.backbone,
      seconds: (performance.now() - began) / MS, runDir,
    }, log);
    await tracker.onArtifact(exported.dir, 'bundle');
    return { runDir, bundleDir: exported.dir, card: exported.card, epochs };
  } finally {
    await engines.close();
  }
}

/**
 * A whole training run: run folder and records, data, model, the training loop with
 * checkpoints, threshold tuning and the exported bundle.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const log = options.log ?? ((line: string) => { console.log(line); });
  const runDir = options.resumeDir ?? createRunDir(options.config.runs.dir, options.config.experiment);
  const tracker = new CompositeTracker([new LocalTracker()], options.extraTrackers ?? []);
  log(`run folder: ${runDir}`);
  await tracker.onRunStart(options.config, runDir, options.sources);
  try {
    const result = await trainAndExport(options, runDir, tracker, log);
    await tracker.onRunEnd('completed');
    return result;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    await tracker.onRunEnd(error instanceof RunInterrupted ? 'stopped' : 'failed', failure);
    throw error;
  }
}
