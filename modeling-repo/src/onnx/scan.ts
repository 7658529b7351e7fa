/**
 * Graph -> ONNX model bytes whose graph is one standard `Scan` over that graph: the body runs once
 * per slice of the scanned inputs, its state carried from one iteration to the next, all inside a
 * single `session.run`. The body keeps its own nodes, initializers and value names; only the
 * outer graph's inputs and outputs are new.
 */
import type { Dim, Graph, ValueInfo } from '../graph/index.js';
import { onnx, type OnnxTypes } from './proto.js';
import { graphProto, modelBytes, valueInfoProto, type SerializeOptions } from './serialize.js';

/** A body value and the outer graph's value bound to it. */
export interface ScanBinding {
  readonly body: string;
  readonly outer: string;
}

export interface ScanSpec {
  /** Body inputs carried from iteration to iteration, with the outer inputs of their first values. */
  readonly stateIn: readonly ScanBinding[];
  /** The body outputs of the carried values' next values (in stateIn's order), with the outer outputs of their last values. */
  readonly stateOut: readonly ScanBinding[];
  /** Body inputs that take one slice per iteration of an outer input [trips, ...]. */
  readonly scanIn: readonly ScanBinding[];
  /** Body outputs stacked over the iterations into an outer output [trips, ...]. */
  readonly scanOut: readonly ScanBinding[];
  /** Name of the outer dimension that counts the iterations. */
  readonly trips: string;
}

function infoOf(values: readonly ValueInfo[], name: string, role: string): ValueInfo {
  const found = values.find((v) => v.name === name);
  if (found === undefined) {
    throw new Error(`Scan body "${role}" value "${name}" is not a body ${role.endsWith('In') ? 'input' : 'output'}`);
  }
  return found;
}

function bodyValueNames(body: Graph): Set<string> {
  return new Set([...body.inputs.map((v) => v.name), ...body.initializers.keys(), ...body.nodes.flatMap((n) => n.outputs)]);
}

/** Checks the spec against the body: every body input bound once, outer names distinct from the body's (ONNX scoping). */
function checkSpec(body: Graph, spec: ScanSpec): void {
  if (spec.stateIn.length !== spec.stateOut.length) {
    throw new Error(`Scan: ${String(spec.stateIn.length)} carried inputs but ${String(spec.stateOut.length)} carried outputs`);
  }
  const bound = [...spec.stateIn, ...spec.scanIn].map((b) => b.body);
  const unbound = body.inputs.map((v) => v.name).filter((name) => !bound.includes(name));
  if (unbound.length > 0 || new Set(bound).size !== bound.length) {
    throw new Error(`Scan: every body input must be bound exactly once (unbound: ${unbound.join(', ') || 'none'})`);
  }
  const inner = bodyValueNames(body);
  const outer = [...spec.stateIn, ...spec.stateOut, ...spec.scanIn, ...spec.scanOut].map((b) => b.outer);
  const clash = outer.find((name) => inner.has(name));
  if (clash !== undefined) {
    throw new Error(`Scan: outer value "${clash}" has the name of a body value; rename one of them`);
  }
}

const stacked = (v: ValueInfo, outer: string, trips: Dim): ValueInfo => ({ name: outer, dtype: v.dtype, shape: [trips, ...v.shape] });
const renamed = (v: ValueInfo, outer: string): ValueInfo => ({ ...v, name: outer });

/** The outer graph's inputs and outputs, and the body with its inputs and outputs in Scan's order. */
function signature(body: Graph, spec: ScanSpec): { inputs: ValueInfo[]; outputs: ValueInfo[]; body: Graph } {
  const stateIn = spec.stateIn.map((b) => infoOf(body.inputs, b.body, 'stateIn'));
  const scanIn = spec.scanIn.map((b) => infoOf(body.inputs, b.body, 'scanIn'));
  const stateOut = spec.stateOut.map((b) => infoOf(body.outputs, b.body, 'stateOut'));
  const scanOut = spec.scanOut.map((b) => infoOf(body.outputs, b.body, 'scanOut'));
  const outerOf = (bindings: readonly ScanBinding[], i: number): string => bindings[i]?.outer ?? '';
  return {
    inputs: [...stateIn.map((v, i) => renamed(v, outerOf(spec.stateIn, i))), ...scanIn.map((v, i) => stacked(v, outerOf(spec.scanIn, i), spec.trips))],
    outputs: [...stateOut.map((v, i) => renamed(v, outerOf(spec.stateOut, i))), ...scanOut.map((v, i) => stacked(v, outerOf(spec.scanOut, i), spec.trips))],
    body: { ...body, inputs: [...stateIn, ...scanIn], outputs: [...stateOut, ...scanOut] },
  };
}

const AttrType = onnx.AttributeProto.AttributeType;

/** Model bytes of one Scan over `body` (its outputs not named in `spec` are dropped). */
export function toScanOnnxBytes(body: Graph, spec: ScanSpec, opts: SerializeOptions = {}): Uint8Array {
  checkSpec(body, spec);
  const sig = signature(body, spec);
  const scan: OnnxTypes.INodeProto = {
    name: `${body.name}_scan`,
    opType: 'Scan',
    domain: '',
    input: sig.inputs.map((v) => v.name),
    output: sig.outputs.map((v) => v.name),
    attribute: [
      { name: 'body', type: AttrType.GRAPH, g: graphProto(sig.body, opts.valueInfo) },
      { name: 'num_scan_inputs', type: AttrType.INT, i: spec.scanIn.length },
    ],
  };
  const outer: OnnxTypes.IGraphProto = { name: `${body.name}_steps`, input: sig.inputs.map(valueInfoProto), output: sig.outputs.map(valueInfoProto), node: [scan] };
  return modelBytes(outer, body, { ...opts, valueInfo: [] });
}
