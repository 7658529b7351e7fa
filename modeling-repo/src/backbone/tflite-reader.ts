import { ByteBuffer } from 'flatbuffers';

/**
 * Reads the parts of a TFLite flatbuffer (tensorflow/lite/schema/schema.fbs) that a
 * convolutional backbone needs into plain objects. Field numbers below are the schema's field
 * order; a flatbuffer table stores field i at vtable slot 4 + 2 * i.
 */

export type TfliteTensorType = 'float32' | 'float16' | 'int32' | 'uint8' | 'int64' | 'int8' | 'int16' | 'other';

export interface TfliteQuantization {
  readonly scale: Float32Array;
  readonly zeroPoint: BigInt64Array;
  readonly quantizedDimension: number;
}

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TfliteTensorType;
  /** Raw little-endian bytes of a constant tensor; undefined for activations. */
  readonly data: Uint8Array | undefined;
  readonly quantization: TfliteQuantization | undefined;
}

/** Builtin options as a positional view: each op's converter reads the fields it knows. */
export interface TfliteOptions {
  /** int32 fields: strides, filter sizes, dilation factors. */
  int32(field: number, fallback: number): number;
  /** Byte-sized enums: padding, fused activation. */
  int8(field: number, fallback: number): number;
  float32(field: number, fallback: number): number;
  int32s(field: number): readonly number[];
}

export interface TfliteOperator {
  readonly index: number;
  readonly opcode: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options: TfliteOptions;
}

export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** BuiltinOperator codes used by image backbones. */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  MEAN: 40,
  SQUEEZE: 43,
  QUANTIZE: 114,
} as const;

const TENSOR_TYPES: readonly TfliteTensorType[] = ['float32', 'float16', 'int32', 'uint8', 'int64', 'other', 'other', 'int16', 'other', 'int8'];
const FILE_IDENTIFIER = 'TFL3';
const IDENTIFIER_OFFSET = 4;
/** Opcodes below this live in the old int8 field; newer files put larger ones in builtin_code. */
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** QuantizationParameters fields: min, max, scale, zero_point, details_type, details, quantized_dimension. */
const QuantField = { scale: 2, zeroPoint: 3, quantizedDimension: 6 } as const;

/** A flatbuffer table: `pos` is its position, fields are looked up through its vtable. */
class FbTable {
  constructor(readonly bb: ByteBuffer, readonly pos: number) {}

  private field(index: number): number {
    return this.bb.__offset(this.pos, IDENTIFIER_OFFSET + 2 * index);
  }

  int32(index: number, fallback: number): number {
    const o = this.field(index);
    return o === 0 ? fallback : this.bb.readInt32(this.pos + o);
  }

  int8(index: number, fallback: number): number {
    const o = this.field(index);
    return o === 0 ? fallback : this.bb.readInt8(this.pos + o);
  }

  float32(index: number, fallback: number): number {
    const o = this.field(index);
    return o === 0 ? fallback : this.bb.readFloat32(this.pos + o);
  }

  string(index: number): string {
    const o = this.field(index);
    return o === 0 ? '' : String(this.bb.__string(this.pos + o));
  }

  table(index: number): FbTable | undefined {
    const o = this.field(index);
    return o === 0 ? undefined : new FbTable(this.bb, this.bb.__indirect(this.pos + o));
  }

  /** Start and length of a vector field, or undefined when absent. */
  private vector(index: number): { start: number; length: number } | undefined {
    const o = this.field(index);
    if (o === 0) {
      return undefined;
    }
    return { start: this.bb.__vector(this.pos + o), length: this.bb.__vector_len(this.pos + o) };
  }

  tables(index: number): FbTable[] {
    const v = this.vector(index);
    if (v === undefined) {
      return [];
    }
    return Array.from({ length: v.length }, (_, i) => new FbTable(this.bb, this.bb.__indirect(v.start + 4 * i)));
  }

  int32s(index: number): number[] {
    const v = this.vector(index);
    return v === undefined ? [] : Array.from({ length: v.length }, (_, i) => this.bb.readInt32(v.start + 4 * i));
  }

  float32s(index: number): Float32Array {
    const v = this.vector(index);
    return v === undefined ? new Float32Array(0) : Float32Array.from({ length: v.length }, (_, i) => this.bb.readFloat32(v.start + 4 * i));
  }

  int64s(index: number): BigInt64Array {
    const v = this.vector(index);
    return v === undefined ? new BigInt64Array(0) : BigInt64Array.from({ length: v.length }, (_, i) => this.bb.readInt64(v.start + 8 * i));
  }

  /** A copy, so the result does not keep the whole file alive or depend on its alignment. */
  bytes(index: number): Uint8Array | undefined {
    const v = this.vector(index);
    return v === undefined || v.length === 0 ? undefined : this.bb.bytes().slice(v.start, v.start + v.length);
  }
}

function optionsView(table: FbTable | undefined): TfliteOptions {
  return {
    int32: (field, fallback) => table?.int32(field, fallback) ?? fallback,
    int8: (field, fallback) => table?.int8(field, fallback) ?? fallback,
    float32: (field, fallback) => table?.float32(field, fallback) ?? fallback,
    int32s: (field) => table?.int32s(field) ?? [],
  };
}

function readQuantization(table: FbTable | undefined): TfliteQuantization | undefined {
  if (table === undefined) {
    return undefined;
  }
  const scale = table.float32s(QuantField.scale);
  if (scale.length === 0) {
    return undefined;
  }
  return { scale, zeroPoint: table.int64s(QuantField.zeroPoint), quantizedDimension: table.int32(QuantField.quantizedDimension, 0) };
}

function readTensor(table: FbTable, index: number, buffers: readonly FbTable[]): TfliteTensor {
  const typeCode = table.int8(1, 0);
  const bufferIndex = table.int32(2, 0);
  return {
    index,
    name: table.string(3),
    shape: table.int32s(0),
    type: TENSOR_TYPES[typeCode] ?? 'other',
    data: buffers[bufferIndex]?.bytes(0),
    quantization: readQuantization(table.table(4)),
  };
}

function readOpcode(table: FbTable): number {
  const deprecated = table.int8(0, 0);
  const builtin = table.int32(3, 0);
  return deprecated < PLACEHOLDER_FOR_GREATER_OP_CODES ? Math.max(deprecated, builtin) : builtin;
}

/** Parses a TFLite file's first subgraph. Throws when the bytes are not a TFLite model. */
export function readTflite(bytes: Uint8Array, what = 'TFLite model'): TfliteModel {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 2 * IDENTIFIER_OFFSET || !bb.__has_identifier(FILE_IDENTIFIER)) {
    throw new Error(`${what}: not a TFLite flatbuffer (no "${FILE_IDENTIFIER}" identifier)`);
  }
  const model = new FbTable(bb, bb.readInt32(bb.position()) + bb.position());
  const opcodes = model.tables(1).map(readOpcode);
  const buffers = model.tables(4);
  const subgraph = model.tables(2)[0];
  if (subgraph === undefined) {
    throw new Error(`${what}: the model has no subgraph`);
  }
  const tensors = subgraph.tables(0).map((t, i) => readTensor(t, i, buffers));
  const operators = subgraph.tables(3).map((op, index): TfliteOperator => {
    const opcodeIndex = op.int32(0, 0);
    const opcode = opcodes[opcodeIndex];
    if (opcode === undefined) {
      throw new Error(`${what}: operator ${index} refers to missing opcode ${opcodeIndex}`);
    }
    return { index, opcode, inputs: op.int32s(1), outputs: op.int32s(2), options: optionsView(op.table(4)) };
  });
  return {
    version: model.int32(0, 0),
    description: model.string(3),
    tensors,
    operators,
    inputs: subgraph.int32s(1),
    outputs: subgraph.int32s(2),
  };
}
