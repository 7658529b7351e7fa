import * as ort from 'onnxruntime-node';
import { paramCountOf } from './flat-params.js';
import { STATE_INPUTS, STATE_OUTPUTS } from './training-graph.js';

/**
 * A training state [3P] (params, AdamW m, AdamW v) as the step graph's three inputs and
 * outputs. The tensors are views of the one host array, so no values are copied on the way in,
 * and ONNX Runtime writes the new state straight into the runner's buffer on the way out.
 */
function thirds(state: Float32Array, names: readonly string[]): Record<string, ort.Tensor> {
  const p = paramCountOf(state.length);
  return Object.fromEntries(names.map((name, i) => [name, new ort.Tensor('float32', state.subarray(i * p, (i + 1) * p), [p])]));
}

/** The step's state inputs, viewing `state`. */
export function stateFeeds(state: Float32Array): Record<string, ort.Tensor> {
  return thirds(state, STATE_INPUTS);
}

/** Pre-allocated state outputs that write the new state into `next`. */
export function stateFetches(next: Float32Array): Record<string, ort.Tensor> {
  return thirds(next, STATE_OUTPUTS);
}

/** The new state from a run whose outputs ONNX Runtime allocated: the three thirds, joined. */
export function stateFromOutputs(out: Readonly<Record<string, ort.Tensor | undefined>>): Float32Array {
  const parts = STATE_OUTPUTS.map((name) => {
    const data = out[name]?.data;
    if (!(data instanceof Float32Array)) {
      throw new Error(`training step graph returned no float32 "${name}"`);
    }
    return data;
  });
  const joined = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((offset, part) => { joined.set(part, offset); return offset + part.length; }, 0);
  return joined;
}
