/**
 * ONNX ModelProto bytes -> Graph. Initializers may hold raw_data or typed fields
 * (float_data, int64_data, ...); Constant nodes become initializers; graph inputs that are also
 * initializers (older exporters list them) stay initializers only.
 */
import type { Attr, DType, Dim, Graph, Node, Tensor, TensorData, ValueInfo } from '../graph/index.js';
import { dtypeFromOnnx, numel } from '../graph/index.js';
import type { OnnxTypes } from './proto.js';
import { onnx } from './proto.js';

/** protobufjs gives int64 fields as numbers or Long objects (whose type onnx-proto leaves unresolved). */
interface LongLike {
  toNumber(): number;
  toString(): string;
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && 'toNumber' in v;
}

function toNum(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  return isLong(v) ? v.toNumber() : 0;
}

function toBig(v: unknown): bigint {
  if (isLong(v)) {
    return BigInt(v.toString());
  }
  return BigInt(typeof v === 'number' ? v : 0);
}

function text(v: string | null | undefined): string {
  return v ?? '';
}

function fromRaw(dtype: DType, raw: Uint8Array): TensorData {
  // A copy: protobufjs hands out Buffer views into the whole file, unaligned for typed arrays.
  const bytes = new Uint8Array(raw);
  switch (dtype) {
    case 'float32':
      return new Float32Array(bytes.buffer);
    case 'float64':
      return new Float64Array(bytes.buffer);
    case 'int64':
      return new BigInt64Array(bytes.buffer);
    case 'int32':
      return new Int32Array(bytes.buffer);
    case 'uint8':
    case 'bool':
      return bytes;
  }
}

function fromFields(dtype: DType, t: OnnxTypes.ITensorProto): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(t.floatData ?? []);
    case 'float64':
      return Float64Array.from(t.doubleData ?? []);
    case 'int64':
      return BigInt64Array.from(((t.int64Data ?? []) as unknown[]).map(toBig));
    case 'int32':
      return Int32Array.from(t.int32Data ?? []);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.int32Data ?? []);
  }
}

export function tensorFromProto(t: OnnxTypes.ITensorProto, where: string): Tensor {
  const dtype = dtypeFromOnnx(t.dataType ?? 0);
  const dims = ((t.dims ?? []) as unknown[]).map(toNum);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`${where}: external tensor data is not supported; save the model with its weights inside`);
  }
  const data = t.rawData !== null && t.rawData !== undefined && t.rawData.length > 0 ? fromRaw(dtype, t.rawData) : fromFields(dtype, t);
  if (data.length !== numel(dims)) {
    throw new Error(`${where}: ${data.length} values for shape [${dims.join(',')}]`);
  }
  return { dtype, dims, data };
}

const AttrType = onnx.AttributeProto.AttributeType;

function attrFromProto(a: OnnxTypes.IAttributeProto, where: string): Attr {
  const name = text(a.name);
  switch (a.type) {
    case AttrType.INT:
      return { kind: 'int', value: toNum(a.i as unknown) };
    case AttrType.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case AttrType.INTS:
      return { kind: 'ints', value: ((a.ints ?? []) as unknown[]).map(toNum) };
    case AttrType.FLOATS:
      return { kind: 'floats', value: [...(a.floats ?? [])] };
    case AttrType.STRING:
      return { kind: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array()) };
    case AttrType.TENSOR:
      return { kind: 'tensor', value: tensorFromProto(a.t ?? {}, `${where} attribute ${name}`) };
    default:
      throw new Error(`${where}: attribute "${name}" has an unsupported type`);
  }
}

function valueInfoFromProto(v: OnnxTypes.IValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType;
  const name = v.name ?? '';
  if (tt === null || tt === undefined) {
    throw new Error(`value "${name}" is not a tensor`);
  }
  const shape: Dim[] = (tt.shape?.dim ?? []).map((d) => {
    const size = toNum(d.dimValue as unknown);
    if (size > 0) {
      return size;
    }
    return d.dimParam !== null && d.dimParam !== undefined && d.dimParam !== '' ? d.dimParam : '?';
  });
  return { name, dtype: dtypeFromOnnx(tt.elemType ?? 0), shape };
}

function nodeFromProto(n: OnnxTypes.INodeProto, i: number): Node {
  const op = text(n.opType);
  const name = text(n.name);
  const where = `node ${i} (${op} "${name}")`;
  const domain = text(n.domain);
  if (domain !== '' && domain !== 'ai.onnx') {
    throw new Error(`${where}: domain "${domain}" is not supported`);
  }
  const attrs: Record<string, Attr> = {};
  for (const a of n.attribute ?? []) {
    attrs[text(a.name)] = attrFromProto(a, where);
  }
  const node: Node = { op, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
  return name === '' ? node : { ...node, name };
}

export interface OnnxModel {
  readonly graph: Graph;
  readonly opset: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly producer: string;
}

export function readOnnxModel(bytes: Uint8Array): OnnxModel {
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph;
  if (g === null || g === undefined) {
    throw new Error('ONNX model has no graph');
  }
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    initializers.set(text(t.name), tensorFromProto(t, `initializer "${text(t.name)}"`));
  }
  const nodes: Node[] = [];
  (g.node ?? []).forEach((n, i) => {
    const node = nodeFromProto(n, i);
    const value = node.attrs.value;
    if (node.op === 'Constant' && value?.kind === 'tensor' && node.outputs[0] !== undefined) {
      initializers.set(node.outputs[0], value.value);
    } else {
      nodes.push(node);
    }
  });
  const graph: Graph = {
    name: text(g.name),
    inputs: (g.input ?? []).filter((v) => !initializers.has(text(v.name))).map(valueInfoFromProto),
    outputs: (g.output ?? []).map(valueInfoFromProto),
    nodes,
    initializers,
  };
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return {
    graph,
    opset: toNum(opset?.version as unknown),
    metadata: Object.fromEntries(model.metadataProps.map((p): [string, string] => [text(p.key), text(p.value)])),
    producer: model.producerName,
  };
}

export function fromOnnxBytes(bytes: Uint8Array): Graph {
  return readOnnxModel(bytes).graph;
}
