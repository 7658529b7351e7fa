import { attr, type Graph, type Node, type Tensor } from '../graph/index.js';
import { sha256Hex } from './resolve.js';
import { BuiltinOp, readTflite, type TfliteModel, type TfliteOperator, type TfliteTensor } from './tflite-reader.js';
import { dequantize, samePads, toOnnxLayout, type Pads } from './tflite-weights.js';

/**
 * Converts a TFLite image classifier (e.g. the uint8 quantization-aware MobileNetV2) into the
 * graph IR in ONNX conventions: float activations in NCHW, weights dequantized once into float
 * initializers, TensorFlow "SAME" padding made explicit for the chosen input size, fused
 * activations as separate Relu / Clip nodes. Nothing is fake-quantized: the result is the
 * float network the quantized one approximates, which is what fine-tuning wants.
 */

export interface TfliteImport {
  /** Input `input`, float32 [N, 3, S, S], values in [-1, 1]; output `probs`. */
  readonly graph: Graph;
  readonly sha256: string;
  /** The spatial size the file was built for (224 for MobileNetV2). */
  readonly nativeSize: number;
}

/** Spatial state of an activation while converting: channels and spatial size in NCHW. */
interface Shape { readonly c: number; readonly h: number; readonly w: number }

interface Ctx {
  readonly model: TfliteModel;
  readonly what: string;
  readonly nodes: Node[];
  readonly initializers: Map<string, Tensor>;
  readonly shapes: Map<number, Shape>;
  readonly nativeSpatial: Map<number, Shape>;
}

const Padding = { SAME: 0, VALID: 1 } as const;
const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;
const RELU6_MAX = 6;
const NHWC_RANK = 4;
const POOL_FILTER_W_FIELD = 3;
const POOL_FILTER_H_FIELD = 4;
const POOL_ACTIVATION_FIELD = 5;

/** Parses the bytes and converts them for input images of `inputSize` x `inputSize`. */
export function importTflite(bytes: Uint8Array, inputSize: number, what = 'TFLite model'): TfliteImport {
  const model = readTflite(bytes, what);
  const inputIndex = single(model.inputs, `${what}: expected one input`);
  const input = tensorAt(model, inputIndex, what);
  if (input.shape.length !== NHWC_RANK || input.shape[3] !== 3) {
    throw new Error(`${what}: input ${input.name} has shape [${input.shape.join(',')}], expected [N, H, W, 3]`);
  }
  const ctx: Ctx = { model, what, nodes: [], initializers: new Map(), shapes: new Map(), nativeSpatial: new Map() };
  ctx.shapes.set(inputIndex, { c: 3, h: inputSize, w: inputSize });
  for (const op of model.operators) {
    convertOperator(ctx, op);
  }
  const outputIndex = single(model.outputs, `${what}: expected one output`);
  const outShape = ctx.shapes.get(outputIndex);
  return {
    graph: {
      name: 'tflite-backbone',
      inputs: [{ name: 'input', dtype: 'float32', shape: ['N', 3, inputSize, inputSize] }],
      outputs: [{ name: 'probs', dtype: 'float32', shape: ['N', outShape?.c ?? 0] }],
      nodes: renameEnds(ctx.nodes, valueName(inputIndex), valueName(outputIndex)),
      initializers: ctx.initializers,
    },
    sha256: sha256Hex(bytes),
    nativeSize: input.shape[1] ?? inputSize,
  };
}

function single(values: readonly number[], message: string): number {
  if (values.length !== 1 || values[0] === undefined) {
    throw new Error(message);
  }
  return values[0];
}

function tensorAt(model: TfliteModel, index: number, what: string): TfliteTensor {
  const tensor = model.tensors[index];
  if (tensor === undefined) {
    throw new Error(`${what}: tensor ${index} does not exist`);
  }
  return tensor;
}

/** Activations are named by TFLite tensor index; the graph's ends get their public names. */
function valueName(index: number): string {
  return `t${index}`;
}

function renameEnds(nodes: readonly Node[], input: string, output: string): Node[] {
  const rename = (v: string): string => (v === input ? 'input' : v === output ? 'probs' : v);
  return nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) }));
}

function convertOperator(ctx: Ctx, op: TfliteOperator): void {
  switch (op.opcode) {
    case BuiltinOp.CONV_2D: convertConv(ctx, op, false); break;
    case BuiltinOp.DEPTHWISE_CONV_2D: convertConv(ctx, op, true); break;
    case BuiltinOp.ADD: convertAdd(ctx, op); break;
    case BuiltinOp.AVERAGE_POOL_2D: convertAveragePool(ctx, op); break;
    case BuiltinOp.RESHAPE: convertFlatten(ctx, op, 'RESHAPE'); break;
    case BuiltinOp.SQUEEZE: convertFlatten(ctx, op, 'SQUEEZE'); break;
    case BuiltinOp.SOFTMAX: convertSoftmax(ctx, op); break;
    default:
      throw new Error(`${ctx.what}: operator ${op.index} has builtin code ${op.opcode}, which the importer does not support ` +
        '(supported: CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D, RESHAPE, SQUEEZE, SOFTMAX)');
  }
}

function io(ctx: Ctx, op: TfliteOperator, index: number): { tensor: TfliteTensor; shape: Shape | undefined } {
  const tensorIndex = op.inputs[index] ?? -1;
  return { tensor: tensorAt(ctx.model, tensorIndex, ctx.what), shape: ctx.shapes.get(tensorIndex) };
}

function knownShape(ctx: Ctx, op: TfliteOperator, index: number): Shape {
  const { tensor, shape } = io(ctx, op, index);
  if (shape === undefined) {
    throw new Error(`${ctx.what}: operator ${op.index} reads ${tensor.name}, which no earlier operator produced`);
  }
  return shape;
}

function outputIndex(op: TfliteOperator): number {
  return op.outputs[0] ?? -1;
}

function convertConv(ctx: Ctx, op: TfliteOperator, depthwise: boolean): void {
  const x = knownShape(ctx, op, 0);
  const weight = io(ctx, op, 1).tensor;
  const input = io(ctx, op, 0).tensor;
  const opts = op.options;
  // Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, dilation_h;
  // DepthwiseConv2DOptions has depth_multiplier at field 3, shifting the rest by one.
  const act = depthwise ? 4 : 3;
  const stride = [opts.int32(2, 1), opts.int32(1, 1)];
  const dilation = [opts.int32(act + 2, 1), opts.int32(act + 1, 1)];
  const [kh, kw] = [weight.shape[1] ?? 1, weight.shape[2] ?? 1];
  const pads = padsFor(opts.int8(0, Padding.SAME), [x.h, x.w], [kh, kw], stride, dilation);
  const w = toOnnxLayout(dequantize(weight, ctx.what), weight.shape, depthwise);
  const outC = w.dims[0] ?? 0;
  const base = `op${op.index}`;
  ctx.initializers.set(`${base}.weight`, w);
  ctx.initializers.set(`${base}.bias`, biasTensor(ctx, op, input, weight, outC));
  const activation = opts.int8(act, Activation.NONE);
  const convOut = preActivation(op, activation, 'conv');
  ctx.nodes.push({
    op: 'Conv',
    name: base,
    inputs: [valueName(input.index), `${base}.weight`, `${base}.bias`],
    outputs: [convOut],
    attrs: {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(stride),
      dilations: attr.ints(dilation),
      pads: attr.ints([pads.top, pads.left, pads.bottom, pads.right]),
      group: attr.int(depthwise ? x.c : 1),
    },
  });
  const out = outSize([x.h, x.w], [kh, kw], stride, dilation, pads);
  ctx.shapes.set(outputIndex(op), { c: outC, h: out[0], w: out[1] });
  fuseActivation(ctx, convOut, outputIndex(op), activation);
}

function padsFor(padding: number, size: readonly number[], kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): Pads {
  if (padding === Padding.VALID) {
    return { top: 0, left: 0, bottom: 0, right: 0 };
  }
  const [top, bottom] = samePads(size[0] ?? 0, kernel[0] ?? 1, stride[0] ?? 1, dilation[0] ?? 1);
  const [left, right] = samePads(size[1] ?? 0, kernel[1] ?? 1, stride[1] ?? 1, dilation[1] ?? 1);
  return { top, left, bottom, right };
}

function outSize(size: readonly number[], kernel: readonly number[], stride: readonly number[], dilation: readonly number[], pads: Pads): [number, number] {
  const one = (n: number, k: number, s: number, d: number, padTotal: number): number => Math.floor((n + padTotal - (d * (k - 1) + 1)) / s) + 1;
  return [
    one(size[0] ?? 0, kernel[0] ?? 1, stride[0] ?? 1, dilation[0] ?? 1, pads.top + pads.bottom),
    one(size[1] ?? 0, kernel[1] ?? 1, stride[1] ?? 1, dilation[1] ?? 1, pads.left + pads.right),
  ];
}

/** int32 biases carry their own scale, which TFLite defines as input scale times weight scale. */
function biasTensor(ctx: Ctx, op: TfliteOperator, input: TfliteTensor, weight: TfliteTensor, channels: number): Tensor {
  const biasIndex = op.inputs[2] ?? -1;
  if (biasIndex < 0) {
    return { dtype: 'float32', dims: [channels], data: new Float32Array(channels) };
  }
  const bias = tensorAt(ctx.model, biasIndex, ctx.what);
  const inScale = input.quantization?.scale[0];
  const wScale = weight.quantization?.scale;
  const implied = bias.quantization === undefined && inScale !== undefined && wScale !== undefined
    ? { scale: wScale.map((s) => s * inScale), zeroPoint: new BigInt64Array(wScale.length), quantizedDimension: 0 }
    : bias.quantization;
  const values = dequantize({ ...bias, quantization: implied }, ctx.what);
  return { dtype: 'float32', dims: [channels], data: values.data };
}

/** The value an op writes before its fused activation: the output itself when there is none. */
function preActivation(op: TfliteOperator, activation: number, suffix: string): string {
  return activation === Activation.NONE ? valueName(outputIndex(op)) : `op${op.index}.${suffix}`;
}

function fuseActivation(ctx: Ctx, value: string, output: number, activation: number): void {
  const out = valueName(output);
  if (activation === Activation.NONE) {
    return;
  }
  if (activation === Activation.RELU) {
    ctx.nodes.push({ op: 'Relu', inputs: [value], outputs: [out], attrs: {} });
    return;
  }
  const [lo, hi] = activation === Activation.RELU6 ? [0, RELU6_MAX] : activation === Activation.RELU_N1_TO_1 ? [-1, 1] : [NaN, NaN];
  if (Number.isNaN(lo)) {
    throw new Error(`${ctx.what}: fused activation ${activation} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)`);
  }
  const min = scalarInit(ctx, lo);
  const max = scalarInit(ctx, hi);
  ctx.nodes.push({ op: 'Clip', inputs: [value, min, max], outputs: [out], attrs: {} });
}

function scalarInit(ctx: Ctx, value: number): string {
  const name = `const.${value}`;
  ctx.initializers.set(name, { dtype: 'float32', dims: [], data: Float32Array.of(value) });
  return name;
}

function convertAdd(ctx: Ctx, op: TfliteOperator): void {
  const a = knownShape(ctx, op, 0);
  knownShape(ctx, op, 1);
  const activation = op.options.int8(0, Activation.NONE);
  const sum = preActivation(op, activation, 'add');
  ctx.nodes.push({ op: 'Add', name: `op${op.index}`, inputs: [valueName(op.inputs[0] ?? -1), valueName(op.inputs[1] ?? -1)], outputs: [sum], attrs: {} });
  ctx.shapes.set(outputIndex(op), a);
  fuseActivation(ctx, sum, outputIndex(op), activation);
}

/**
 * MobileNet's final 7x7 VALID average pool covers the whole map at the native size; it is the
 * global pool that yields the image features, so it becomes GlobalAveragePool and keeps that
 * meaning at any input size.
 */
function convertAveragePool(ctx: Ctx, op: TfliteOperator): void {
  const x = knownShape(ctx, op, 0);
  const native = io(ctx, op, 0).tensor.shape;
  // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation.
  const filter = [op.options.int32(POOL_FILTER_H_FIELD, 1), op.options.int32(POOL_FILTER_W_FIELD, 1)];
  if (filter[0] !== native[1] || filter[1] !== native[2]) {
    throw new Error(`${ctx.what}: operator ${op.index} AVERAGE_POOL_2D ${filter.join('x')} does not cover its input ` +
      `[${native.join(',')}]; only global average pooling is supported`);
  }
  const activation = op.options.int8(POOL_ACTIVATION_FIELD, Activation.NONE);
  const pooled = preActivation(op, activation, 'pool');
  ctx.nodes.push({ op: 'GlobalAveragePool', name: `op${op.index}`, inputs: [valueName(op.inputs[0] ?? -1)], outputs: [pooled], attrs: {} });
  ctx.shapes.set(outputIndex(op), { c: x.c, h: 1, w: 1 });
  fuseActivation(ctx, pooled, outputIndex(op), activation);
}

/** Only the reshape that drops 1x1 spatial dims is supported: NHWC and NCHW agree on it. */
function convertFlatten(ctx: Ctx, op: TfliteOperator, kind: string): void {
  const x = knownShape(ctx, op, 0);
  const outRank = tensorAt(ctx.model, outputIndex(op), ctx.what).shape.length;
  if (x.h !== 1 || x.w !== 1 || outRank !== 2) {
    throw new Error(`${ctx.what}: operator ${op.index} ${kind} to rank ${outRank} of a ${x.h}x${x.w} map is not supported ` +
      '(only dropping 1x1 spatial dims)');
  }
  ctx.nodes.push({ op: 'Flatten', name: `op${op.index}`, inputs: [valueName(op.inputs[0] ?? -1)], outputs: [valueName(outputIndex(op))], attrs: { axis: attr.int(1) } });
  ctx.shapes.set(outputIndex(op), x);
}

function convertSoftmax(ctx: Ctx, op: TfliteOperator): void {
  const x = knownShape(ctx, op, 0);
  const beta = op.options.float32(0, 1);
  let input = valueName(op.inputs[0] ?? -1);
  if (beta !== 1) {
    const scaled = `op${op.index}.scaled`;
    ctx.nodes.push({ op: 'Mul', inputs: [input, scalarInit(ctx, beta)], outputs: [scaled], attrs: {} });
    input = scaled;
  }
  ctx.nodes.push({ op: 'Softmax', name: `op${op.index}`, inputs: [input], outputs: [valueName(outputIndex(op))], attrs: { axis: attr.int(-1) } });
  ctx.shapes.set(outputIndex(op), x);
}
