import { IMAGE } from '../contract/index.js';
import { renameValues, type Graph } from '../graph/index.js';
import { toScanOnnxBytes, type ScanBinding, type SerializeOptions } from '../onnx/index.js';
import { LOSS, LR, STATE_INPUTS, STATE_OUTPUTS, STEP, TARGET } from './training-graph.js';

/**
 * Several training steps in one `session.run`: the step graph as the body of a standard ONNX
 * Scan, the state (params, AdamW m and v) carried from step to step inside ONNX Runtime and the
 * batches, learning rates and step numbers scanned one per step. The numbers are the single
 * step's, bit for bit.
 *
 * Why: onnxruntime-node hands every output back in a fresh ArrayBuffer copied from the tensor
 * ONNX Runtime wrote, even into a pre-allocated output. For MobileNetV2's state (3 x 2.2M
 * values) that is 27 MB allocated, copied and later collected per run: 10 ms of a 100 ms step at
 * 64 px (`npx tsx bench/output-copy.ts`). M steps per run pay it once.
 *
 * Inputs: the state's thirds under the step's names (`params`, `adam_m`, `adam_v`), `images`
 * uint8 [M,B,S,S,3], `targets` [M,B,K], `lrs` [M], `steps` [M]. Outputs: the state's thirds after
 * the M steps (`params_out`, ...) and `losses` [M]. M is free: one session runs any count.
 */

export const IMAGES = 'images';
export const TARGETS = 'targets';
export const LRS = 'lrs';
export const STEPS = 'steps';
export const LOSSES = 'losses';

/** Outer name -> the step graph's own name, for the scanned inputs and outputs. */
const SCANNED_IN: readonly (readonly [string, string])[] = [[IMAGES, IMAGE], [TARGETS, TARGET], [LRS, LR], [STEPS, STEP]];
const SCANNED_OUT: readonly (readonly [string, string])[] = [[LOSSES, LOSS]];

/** Inside the Scan the step's own names carry this prefix, so the outer graph can keep them (ONNX forbids shadowing). */
const BODY_PREFIX = 'step_';

const inBody = (name: string): string => `${BODY_PREFIX}${name}`;

function bindings(pairs: readonly (readonly [string, string])[]): ScanBinding[] {
  return pairs.map(([outer, own]) => ({ outer, body: inBody(own) }));
}

/** The step graph (buildTrainingGraph's) as model bytes that run any number of steps per run. */
export function multiStepModel(step: Graph, opts: SerializeOptions = {}): Uint8Array {
  const own = [...STATE_INPUTS, ...STATE_OUTPUTS, ...SCANNED_IN.map(([, name]) => name), ...SCANNED_OUT.map(([, name]) => name)];
  const body = renameValues(step, new Map(own.map((name) => [name, inBody(name)])));
  return toScanOnnxBytes(body, {
    stateIn: bindings(STATE_INPUTS.map((name) => [name, name])),
    stateOut: bindings(STATE_OUTPUTS.map((name) => [name, name])),
    scanIn: bindings(SCANNED_IN),
    scanOut: bindings(SCANNED_OUT),
    trips: 'M',
  }, opts);
}
