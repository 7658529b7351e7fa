import { attr, differentiate, earliestLevelOrder, foldMovementChains, GraphBuilder, lowerToNchwc, transposeByMatMul, type Dim, type Graph } from '../graph/index.js';
import { appendAdamW, type AdamWHyper } from './adamw.js';
import { decayMaskVector, flatLayout, lrScaleVector, type FlatLayout, type SlotSpec } from './flat-params.js';
import { appendBceWithLogits } from './loss.js';
import { IMAGE, LOGITS, PROBABILITIES } from '../contract/index.js';

export { bakeParams } from './flat-params.js';

/**
 * One ONNX graph for a whole training step, run with a plain InferenceSession:
 *
 *   inputs   params, adam_m, adam_v [P] each (the three thirds of a training state [3P]),
 *            image uint8 [B,S,S,3], target [B,K], lr scalar, step scalar (1-based, for bias
 *            correction)
 *   inside   classifier forward over the flat params -> BCE-with-logits -> backward (the graph
 *            core's autodiff) -> flat gradient -> AdamW
 *   outputs  params_out, adam_m_out, adam_v_out [P] each, loss scalar, logits [B,K]
 *
 * The state's thirds are separate inputs and outputs, not one [3P] tensor split and concatenated
 * in the graph: the runners pass views of one host array (state-io.ts), and the step saves a Split
 * and a Concat of 3P values (9 ms of a 64 px MobileNetV2 step).
 *
 * Frozen parameters stay initializers of the graph. The learning rate is an input, so one
 * graph serves every step of the schedule.
 */

export const PARAMS = 'params';
export const ADAM_M = 'adam_m';
export const ADAM_V = 'adam_v';
/** The step's inputs for a training state's thirds, in state order, and the outputs of their new values. */
export const STATE_INPUTS = [PARAMS, ADAM_M, ADAM_V] as const;
export const STATE_OUTPUTS = ['params_out', 'adam_m_out', 'adam_v_out'] as const;
export const TARGET = 'target';
export const LR = 'lr';
export const STEP = 'step';
export const LOSS = 'loss';
export const GRADS = 'grads';

export interface TrainingGraphOptions {
  /** Fixed batch size B of the step. */
  readonly batch: number;
  /** Parameters to train, in flat-state order (e.g. from selectTrainable). */
  readonly trainable: readonly SlotSpec[];
  readonly optimizer: AdamWHyper;
  /** Learning-rate factor per parameter group. */
  readonly lrMultipliers: Readonly<Record<'backbone' | 'head', number>>;
  /** Also output the flat gradient `grads` [P] (for gradient checks). */
  readonly exposeGradients?: boolean;
  /**
   * ONNX Runtime's NCHWc block size (session.ts `nchwcBlockSize`): when set, the classifier runs
   * on the NCHWc kernels (graph/nchwc-lowering.ts), forward and backward; 0 or absent keeps the
   * plain NCHW graph (other execution providers, machines without NCHWc kernels).
   */
  readonly nchwcBlock?: number;
  /** Label smoothing of the loss (loss.ts); 0 or absent trains on the 0/1 targets. */
  readonly labelSmoothing?: number;
  /** Per-class weights of the loss's positive terms (loss.ts `positiveWeightsFor`); absent: all 1. */
  readonly positiveWeights?: readonly number[];
}

/** The classifier as the step runs it: lowered onto NCHWc kernels when a block size is given. */
function onNchwc(nchwcBlock: number | undefined): nchwcBlock is number {
  return nchwcBlock !== undefined && nchwcBlock !== 0;
}

function forwardGraph(classifier: Graph, nchwcBlock: number | undefined): Graph {
  return onNchwc(nchwcBlock) ? lowerToNchwc(classifier, { block: nchwcBlock }) : classifier;
}

/**
 * The filters' reorders of a graph on ONNX Runtime's CPU kernels as GEMMs (graph/transpose-by-matmul.ts);
 * plain graphs, which also run on other execution providers, keep standard ops only.
 */
function withCpuTransposes(graph: Graph, nchwcBlock: number | undefined): Graph {
  return onNchwc(nchwcBlock) ? transposeByMatMul(graph) : graph;
}

export interface TrainingGraph {
  readonly graph: Graph;
  readonly layout: FlatLayout;
  /**
   * Bytes of every value the step computes (Reshape-like aliases not counted): what ONNX
   * Runtime's memory pattern allocates for it, near enough (session.ts trainingStepOptions).
   */
  readonly intermediateBytes: number;
}

/** Ops whose output shares its input's buffer in ONNX Runtime. */
const ALIASING = new Set(['Reshape', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);
const BYTES: Readonly<Record<string, number>> = { float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1, bool: 1 };

function intermediateBytes(b: GraphBuilder, graph: Graph): number {
  return graph.nodes.filter((n) => !ALIASING.has(n.op)).flatMap((n) => n.outputs).reduce((sum, name) => {
    const info = b.has(name) ? b.info(name) : undefined;
    const count = info?.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1) ?? 0;
    return sum + count * (BYTES[info?.dtype ?? 'float32'] ?? 4);
  }, 0);
}

function inputShape(classifier: Graph, name: string): readonly Dim[] {
  const input = classifier.inputs.find((v) => v.name === name);
  if (input === undefined) {
    throw new Error(`classifier graph "${classifier.name}" has no input "${name}"`);
  }
  return input.shape;
}

function outputWidth(classifier: Graph): number {
  const width = classifier.outputs.find((o) => o.name === LOGITS)?.shape[1];
  if (typeof width !== 'number') {
    throw new Error(`classifier graph "${classifier.name}" has no "${LOGITS}" output of static width`);
  }
  return width;
}

/**
 * Starts a builder holding the classifier with its trainable parameters read from the flat
 * vector `flat` ([P]): one Split into per-parameter pieces, each reshaped to the parameter's
 * shape under the parameter's own name, so the classifier's nodes read them unchanged.
 */
function classifierOverFlat(b: GraphBuilder, classifier: Graph, layout: FlatLayout, flat: string, batch: Dim): void {
  const trained = new Set(layout.slots.map((s) => s.name));
  for (const [name, tensor] of classifier.initializers) {
    if (!trained.has(name)) {
      b.initializer(name, tensor);
    }
  }
  const [, s, w, c] = inputShape(classifier, IMAGE);
  b.input(IMAGE, 'uint8', [batch, s ?? 0, w ?? 0, c ?? 0]);
  const pieces = layout.slots.length === 1
    ? [flat]
    : b.node('Split', [flat, b.int64s(layout.slots.map((slot) => slot.size))], { axis: attr.int(0) }, layout.slots.length);
  layout.slots.forEach((slot, i) => {
    b.addNode({ op: 'Reshape', inputs: [pieces[i] ?? '', b.int64s(slot.dims)], outputs: [slot.name], attrs: {} });
  });
  for (const node of classifier.nodes) {
    b.addNode(node);
  }
}

/** Flattens each gradient to 1-d and concatenates them in layout order: the flat gradient [P]. */
function flatGradient(b: GraphBuilder, grads: ReadonlyMap<string, string>, layout: FlatLayout): string {
  const parts = layout.slots.map((slot) => {
    const g = grads.get(slot.name);
    if (g === undefined) {
      throw new Error(`no gradient for parameter "${slot.name}"`);
    }
    return b.op('Reshape', [g, b.int64s([slot.size])]);
  });
  return parts.length === 1 ? (parts[0] ?? '') : b.op('Concat', parts, { axis: attr.int(0) });
}

/** Builds the training-step graph for `classifier` (a graph with input `image` and output `logits`). */
export function buildTrainingGraph(classifier: Graph, options: TrainingGraphOptions): TrainingGraph {
  const layout = flatLayout(classifier, options.trainable);
  if (layout.size === 0) {
    throw new Error('buildTrainingGraph: no trainable parameters');
  }
  const p = layout.size;
  const b = new GraphBuilder('planet-train-step');
  const [params, m, v] = STATE_INPUTS.map((name) => b.input(name, 'float32', [p]));
  classifierOverFlat(b, forwardGraph(classifier, options.nchwcBlock), layout, params ?? '', options.batch);
  b.input(TARGET, 'float32', [options.batch, outputWidth(classifier)]);
  b.input(LR, 'float32', []);
  b.input(STEP, 'float32', []);
  const loss = b.named(appendBceWithLogits(b, LOGITS, TARGET, {
    smoothing: options.labelSmoothing ?? 0, ...(options.positiveWeights === undefined ? {} : { positiveWeights: options.positiveWeights }),
  }), LOSS);
  const grads = flatGradient(b, differentiate(b, loss, layout.slots.map((s) => s.name)), layout);
  const lrScale = lrScaleVector(layout, options.lrMultipliers);
  const next = appendAdamW(b, {
    params: params ?? '', grads, m: m ?? '', v: v ?? '', lr: LR, step: STEP,
    lrScale: b.constant({ dtype: 'float32', dims: [p], data: lrScale }, 'lr_scale'),
    decayRate: b.constant({ dtype: 'float32', dims: [p], data: decayMaskVector(layout).map((d, i) => d * options.optimizer.weightDecay * (lrScale[i] ?? 0)) }, 'decay_rate'),
  }, options.optimizer, { params: STATE_OUTPUTS[0], m: STATE_OUTPUTS[1], v: STATE_OUTPUTS[2] });
  [next.params, next.m, next.v].forEach((value) => { b.output(value); });
  b.output(LOSS);
  b.output(LOGITS);
  if (options.exposeGradients === true) {
    b.output(b.named(grads, GRADS));
  }
  // The filter reorders of the NCHWc kernels and their gradients' reorders cancel: fold them.
  // Named in builder order (forward, backward, optimizer), then written for ONNX Runtime's
  // execution order (graph/schedule.ts).
  const graph = earliestLevelOrder(withCpuTransposes(namedByPhase(foldMovementChains(b.build()), loss, grads), options.nchwcBlock));
  return { graph, layout, intermediateBytes: intermediateBytes(b, graph) };
}

export const PHASES = ['forward', 'backward', 'optimizer'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Names every node `<phase>/<op>_<index>`: forward up to the loss, backward up to the flat
 * gradient, then the optimizer, so that profiles (bench/profile.ts) can be split by phase.
 */
function namedByPhase(graph: Graph, loss: string, grads: string): Graph {
  const lossAt = graph.nodes.findIndex((n) => n.outputs.includes(loss));
  const gradsAt = graph.nodes.findIndex((n) => n.outputs.includes(grads));
  const phaseOf = (i: number): Phase => (i <= lossAt ? 'forward' : i <= gradsAt ? 'backward' : 'optimizer');
  return { ...graph, nodes: graph.nodes.map((n, i) => ({ ...n, name: `${phaseOf(i)}/${n.op}_${i}` })) };
}

/**
 * The evaluation graph: the same classifier reading its trainable parameters from `params`
 * [P] (the first third of a training state), giving `logits` and `probabilities`. The batch
 * may be fixed or a dimension name.
 */
export function buildEvalGraph(classifier: Graph, layout: FlatLayout, batch: Dim = 'N', nchwcBlock?: number): Graph {
  const b = new GraphBuilder('planet-eval');
  b.input(PARAMS, 'float32', [layout.size]);
  classifierOverFlat(b, forwardGraph(classifier, nchwcBlock), layout, PARAMS, batch);
  b.output(LOGITS);
  b.output(PROBABILITIES);
  const built = withCpuTransposes(b.build(), nchwcBlock);
  const width = outputWidth(classifier);
  return { ...built, outputs: built.outputs.map((o) => ({ ...o, shape: [batch, width] })) };
}
