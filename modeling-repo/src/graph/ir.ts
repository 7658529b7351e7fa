/**
 * A small graph IR that mirrors ONNX closely enough to be serialized one-to-one, and is simple
 * enough to transform (cut, fold, differentiate) in plain TypeScript. Everything here is data:
 * no I/O, no clocks, no randomness.
 */

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A constant tensor: an initializer, or the value of a Constant node. */
export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** ONNX attributes keep ints and floats apart, so the IR does too. */
export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor };

/**
 * Attributes whose names start with `_` are the IR's own annotations (facts a reference kernel
 * needs that ONNX does not carry, such as an NCHWc block size): serialization never writes them.
 */
export type Attrs = Readonly<Record<string, Attr>>;

export const ANNOTATION_PREFIX = '_';

export interface Node {
  readonly op: string;
  /**
   * Operator set domain; absent for the standard ONNX domain. ONNX Runtime's own layout ops use
   * 'com.microsoft.nchwc' (see ops/nchwc-*.ts).
   */
  readonly domain?: string;
  /** Value names; '' marks an omitted optional input, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  readonly name?: string;
}

/** Static shapes: training graphs have a fixed batch; exported graphs may name a dim ('N'). */
export type Dim = number | string;

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Nodes in topological order. */
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, Tensor>;
}

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: Tensor): Attr => ({ kind: 'tensor', value }),
};

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** ONNX TensorProto.DataType codes of the dtypes the IR knows. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

export function dtypeFromOnnx(code: number): DType {
  const hit = (Object.keys(ONNX_DTYPE) as DType[]).find((k) => ONNX_DTYPE[k] === code);
  if (hit === undefined) {
    throw new Error(`unsupported ONNX data type ${code}`);
  }
  return hit;
}
