/**
 * Graph -> ONNX ModelProto bytes. Tensors are written as raw little-endian data (what ONNX
 * Runtime reads fastest); shapes of inputs, outputs and every inferred intermediate value are
 * declared so a reader never has to re-infer them.
 */
import { ANNOTATION_PREFIX, ONNX_DTYPE, type Attr, type DType, type Dim, type Graph, type Tensor, type ValueInfo } from '../graph/index.js';
import type { OnnxTypes } from './proto.js';
import { onnx } from './proto.js';

export const DEFAULT_OPSET = 17;
/** Version of every non-standard domain the graphs use (ONNX Runtime's contrib domains are at 1). */
const CONTRIB_DOMAIN_VERSION = 1;
export const IR_VERSION = 8;

export interface SerializeOptions {
  readonly opset?: number;
  readonly producer?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Intermediate value types to declare (e.g. from GraphBuilder.info); optional. */
  readonly valueInfo?: readonly ValueInfo[];
}

export function dtypeCode(dtype: DType): number {
  return ONNX_DTYPE[dtype];
}

function rawBytes(t: Tensor): Uint8Array {
  if (t.dtype === 'bool') {
    return Uint8Array.from(t.data as Uint8Array, (v) => (v === 0 ? 0 : 1));
  }
  // Typed arrays are little-endian on every platform Node supports. A view, not a copy: the
  // encoder reads the bytes once (a copy of every initializer cost 9-30 MB per training graph).
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

export function tensorProto(name: string, t: Tensor): OnnxTypes.ITensorProto {
  return { name, dims: [...t.dims], dataType: dtypeCode(t.dtype), rawData: rawBytes(t) };
}

function dimProto(d: Dim): OnnxTypes.TensorShapeProto.IDimension {
  return typeof d === 'number' ? { dimValue: d } : { dimParam: d };
}

export function valueInfoProto(v: ValueInfo): OnnxTypes.IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: dtypeCode(v.dtype), shape: { dim: v.shape.map(dimProto) } } },
  };
}

const AttrType = onnx.AttributeProto.AttributeType;

function attrProto(name: string, a: Attr): OnnxTypes.IAttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttrType.INT, i: a.value };
    case 'float':
      return { name, type: AttrType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttrType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: AttrType.TENSOR, t: tensorProto('', a.value) };
  }
}

export function graphProto(graph: Graph, valueInfo: readonly ValueInfo[] = []): OnnxTypes.IGraphProto {
  const declared = new Set([...graph.inputs, ...graph.outputs].map((v) => v.name));
  return {
    name: graph.name,
    input: graph.inputs.map(valueInfoProto),
    output: graph.outputs.map(valueInfoProto),
    initializer: [...graph.initializers].map(([name, t]) => tensorProto(name, t)),
    valueInfo: valueInfo.filter((v) => !declared.has(v.name) && !graph.initializers.has(v.name)).map(valueInfoProto),
    node: graph.nodes.map((n, i) => ({
      name: n.name ?? `${n.op}_${i}`,
      opType: n.op,
      input: [...n.inputs],
      output: [...n.outputs],
      domain: n.domain ?? '',
      attribute: Object.entries(n.attrs).filter(([k]) => !k.startsWith(ANNOTATION_PREFIX)).map(([k, a]) => attrProto(k, a)),
    })),
  };
}

function contribDomains(graph: Graph): string[] {
  return [...new Set(graph.nodes.map((n) => n.domain ?? '').filter((d) => d !== ''))].sort();
}

/** ModelProto bytes around a graph proto; `source` names the contrib domains to import (its nodes'). */
export function modelBytes(graph: OnnxTypes.IGraphProto, source: Graph, opts: SerializeOptions = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: opts.producer ?? 'planet-modeling',
    docString: opts.docString ?? '',
    opsetImport: [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }, ...contribDomains(source).map((domain) => ({ domain, version: CONTRIB_DOMAIN_VERSION }))],
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

export function toOnnxBytes(graph: Graph, opts: SerializeOptions = {}): Uint8Array {
  return modelBytes(graphProto(graph, opts.valueInfo), graph, opts);
}
