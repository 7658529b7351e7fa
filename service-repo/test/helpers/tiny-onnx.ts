/**
 * A tiny ONNX model that follows the model contract, written with the ONNX protobuf schema:
 * image uint8 [N,S,S,3] -> Cast -> Mul(1/255) -> Reshape [N, S*S*3] -> Gemm (-> 17) -> Sigmoid.
 * Every pixel has its own weights, so a decoding or resizing error of one grey level in one pixel
 * moves some probability by more than the golden tolerance (1e-4): the golden test stays sharp.
 */
import onnxProto from 'onnx-proto';
import { INPUT_NAME, LABEL_COUNT, LOGITS_NAME, OUTPUT_NAME, RGB_CHANNELS } from '../../src/contract/index.js';

const { onnx } = onnxProto;
const OPSET = 17;
const IR_VERSION = 8;
const LABELS = LABEL_COUNT;
const WEIGHT_SCALE = 0.2;

/** Deterministic PRNG (mulberry32) so the model and its golden file are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tensorType(elemType: number, dims: (number | string)[]): onnxProto.onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  };
}

export interface TinyModelOptions {
  readonly size: number;
  readonly seed?: number;
  /** Names of the graph's input and output (change them to build a contract-breaking model). */
  readonly inputName?: string;
  readonly outputName?: string;
}

/** Serialized ModelProto bytes. */
export function buildTinyOnnx(options: TinyModelOptions): Uint8Array {
  const { size, seed = 42, inputName = INPUT_NAME, outputName = OUTPUT_NAME } = options;
  const features = size * size * RGB_CHANNELS;
  const random = seededRandom(seed);
  const weights = Array.from({ length: features * LABELS }, () => (random() * 2 - 1) * WEIGHT_SCALE);
  const bias = Array.from({ length: LABELS }, () => random() * 2 - 1);
  const F = onnx.TensorProto.DataType;
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'planet_tiny',
    node: [
      { opType: 'Cast', input: [inputName], output: ['x_float'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: F.FLOAT }] },
      { opType: 'Mul', input: ['x_float', 'scale'], output: ['x_scaled'] },
      { opType: 'Reshape', input: ['x_scaled', 'flat_shape'], output: ['x_flat'] },
      { opType: 'Gemm', input: ['x_flat', 'weights', 'bias'], output: [LOGITS_NAME] },
      { opType: 'Sigmoid', input: [LOGITS_NAME], output: [outputName] },
    ],
    initializer: [
      { name: 'scale', dataType: F.FLOAT, dims: [], floatData: [1 / 255] },
      { name: 'flat_shape', dataType: F.INT64, dims: [2], int64Data: [-1, features] },
      { name: 'weights', dataType: F.FLOAT, dims: [features, LABELS], floatData: weights },
      { name: 'bias', dataType: F.FLOAT, dims: [LABELS], floatData: bias },
    ],
    input: [{ name: inputName, type: tensorType(F.UINT8, ['N', size, size, RGB_CHANNELS]) }],
    output: [{ name: outputName, type: tensorType(F.FLOAT, ['N', LABELS]) }],
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'planet-svc-tests',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
