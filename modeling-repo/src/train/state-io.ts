import * as ort from 'onnxruntime-node';
import { paramCountOf } from './flat-params.js';
import { STATE_INPUTS, STATE_OUTPUTS } from './training-graph.js';

/**
 * A training state [3P] (params, AdamW m, AdamW v) as the step graph's three inputs and
 * outputs. The tensors are views of the one host array, so no values are copied on the way in,
 * and ONNX Runtime writes the new state straight into the runner's buffer on the way out.
 */

/** The state's three parts (views, in STATE_INPUTS order). */
export function stateParts(state: Float32Array): Float32Array[] {
  const p = paramCountOf(state.length);
  return STATE_INPUTS.map((_, i) => state.subarray(i * p, (i + 1) * p));
}

/** One array from its parts, in order (`make` allocates the joined array). */
export function joinArrays<T extends Uint8Array | Float32Array>(parts: readonly T[], make: (length: number) => T): T {
  const joined = make(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((offset, part) => { joined.set(part, offset); return offset + part.length; }, 0);
  return joined;
}

/** One state array from its parts, in order. */
export function joinState(parts: readonly Float32Array[]): Float32Array {
  return joinArrays(parts, (n) => new Float32Array(n));
}

function named(state: Float32Array, names: readonly string[]): Record<string, ort.Tensor> {
  return Object.fromEntries(stateParts(state).map((part, i) => [names[i] ?? '', new ort.Tensor('float32', part, [part.length])]));
}

/** The step's state inputs, viewing `state`. */
export function stateFeeds(state: Float32Array): Record<string, ort.Tensor> {
  return named(state, STATE_INPUTS);
}

/** Pre-allocated state outputs that write the new state into `next`. */
export function stateFetches(next: Float32Array): Record<string, ort.Tensor> {
  return named(next, STATE_OUTPUTS);
}

/** The new state from a run whose outputs ONNX Runtime allocated: the three parts, joined. */
export function stateFromOutputs(out: Readonly<Record<string, ort.Tensor | undefined>>): Float32Array {
  return joinState(STATE_OUTPUTS.map((name) => {
    const data = out[name]?.data;
    if (!(data instanceof Float32Array)) {
      throw new Error(`training step graph returned no float32 "${name}"`);
    }
    return data;
  }));
}
