import type { Graph, Tensor } from '../graph/index.js';

/**
 * The flat training state: every trainable parameter back to back in one float32 vector of
 * length P, followed by AdamW's first moments (P) and second moments (P). One buffer instead of
 * one tensor per parameter keeps a training step to a handful of inputs and outputs, which is
 * much cheaper to pass to and from ONNX Runtime.
 */

/** The state's parts, P values each, in this order: parameters, AdamW's m, AdamW's v. */
export const STATE_PARTS = 3;

/** Length of the training state over `paramCount` trainable values: 3 x P. */
export function stateLength(paramCount: number): number {
  return STATE_PARTS * paramCount;
}

/** P, the number of trainable values, of a training state of `length` values. */
export function paramCountOf(length: number): number {
  if (length % STATE_PARTS !== 0) {
    throw new Error(`a training state holds ${STATE_PARTS} x P values; ${length} is not a multiple of ${STATE_PARTS}`);
  }
  return length / STATE_PARTS;
}

export interface ParamSlot {
  readonly name: string;
  readonly dims: readonly number[];
  /** First element of this parameter inside the P-long parameter part. */
  readonly offset: number;
  readonly size: number;
  readonly group: 'backbone' | 'head';
  /** Weight decay applies (weights yes, biases no). */
  readonly decay: boolean;
}

export interface FlatLayout {
  readonly slots: readonly ParamSlot[];
  /** P: number of trainable values. */
  readonly size: number;
}

export interface SlotSpec {
  readonly name: string;
  readonly group?: 'backbone' | 'head';
  readonly kind?: 'weight' | 'bias';
}

function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function initializerOf(graph: Graph, name: string): Tensor {
  const t = graph.initializers.get(name);
  if (t === undefined) {
    throw new Error(`parameter "${name}" is not an initializer of graph "${graph.name}"`);
  }
  if (t.dtype !== 'float32') {
    throw new Error(`parameter "${name}" is ${t.dtype}; only float32 initializers can train`);
  }
  return t;
}

/**
 * Lays out the named parameters in the given order. Their shapes come from the graph's
 * initializers; a spec without `kind` counts as a weight when it has more than one dimension.
 */
export function flatLayout(graph: Graph, specs: readonly (SlotSpec | string)[]): FlatLayout {
  let offset = 0;
  const seen = new Set<string>();
  const slots = specs.map((raw): ParamSlot => {
    const spec: SlotSpec = typeof raw === 'string' ? { name: raw } : raw;
    if (seen.has(spec.name)) {
      throw new Error(`parameter "${spec.name}" is listed twice`);
    }
    seen.add(spec.name);
    const dims = initializerOf(graph, spec.name).dims;
    const size = sizeOf(dims);
    const kind = spec.kind ?? (dims.length > 1 ? 'weight' : 'bias');
    const slot = { name: spec.name, dims, offset, size, group: spec.group ?? 'backbone', decay: kind === 'weight' };
    offset += size;
    return slot;
  });
  return { slots, size: offset };
}

/** The parameters' current values from the graph's initializers, as one P-long vector. */
export function gatherParams(graph: Graph, layout: FlatLayout): Float32Array {
  const flat = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    flat.set(initializerOf(graph, slot.name).data as Float32Array, slot.offset);
  }
  return flat;
}

/** A fresh training state: the parameters, then zero first and second moments. */
export function initialState(params: Float32Array): Float32Array {
  const state = new Float32Array(stateLength(params.length));
  state.set(params, 0);
  return state;
}

/** The parameter part of a state (a view, not a copy). */
export function paramsOf(state: Float32Array, layout: FlatLayout): Float32Array {
  if (state.length !== stateLength(layout.size) && state.length !== layout.size) {
    throw new Error(`state has ${state.length} values; expected ${stateLength(layout.size)} (${STATE_PARTS} x ${layout.size} parameters) or ${layout.size}`);
  }
  return state.subarray(0, layout.size);
}

/** Per-value learning-rate multiplier from each parameter's group. */
export function lrScaleVector(layout: FlatLayout, multipliers: Readonly<Record<'backbone' | 'head', number>>): Float32Array {
  const out = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    out.fill(multipliers[slot.group], slot.offset, slot.offset + slot.size);
  }
  return out;
}

/** Per-value weight-decay mask: 1 for weights, 0 for biases. */
export function decayMaskVector(layout: FlatLayout): Float32Array {
  const out = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    out.fill(slot.decay ? 1 : 0, slot.offset, slot.offset + slot.size);
  }
  return out;
}

/**
 * Writes trained values back into a copy of `graph`'s initializers (for export): `flat` holds
 * the parameters named in `names`, in that order, each with its initializer's shape.
 */
export function bakeParams(graph: Graph, names: readonly string[], flat: Float32Array): Graph {
  const layout = flatLayout(graph, names);
  const params = paramsOf(flat, layout);
  const initializers = new Map(graph.initializers);
  for (const slot of layout.slots) {
    const data = params.slice(slot.offset, slot.offset + slot.size);
    initializers.set(slot.name, { dtype: 'float32', dims: [...slot.dims], data });
  }
  return { ...graph, initializers };
}
