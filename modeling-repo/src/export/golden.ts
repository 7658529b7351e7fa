import * as ort from 'onnxruntime-node';
import { IMAGE, PROBABILITIES } from '../contract/index.js';

/** One golden sample: the JPEG bytes and what the exported model says about them. */
export interface GoldenSample {
  readonly name: string;
  readonly jpeg: string;
  readonly probabilities: readonly number[];
}

export interface GoldenInput {
  readonly name: string;
  readonly jpeg: Uint8Array;
}

/** Turns JPEG bytes into the model's uint8 NHWC input (S x S x 3), exactly as evaluation does. */
export type ChipDecoder = (jpeg: Uint8Array, name: string) => Promise<Uint8Array>;

/**
 * Runs the exported model on golden chips through the pipeline's own decoding, so the service can
 * prove it decodes, resizes and infers identically.
 */
export async function computeGolden(
  modelBytes: Uint8Array,
  size: number,
  inputs: readonly GoldenInput[],
  decode: ChipDecoder,
): Promise<GoldenSample[]> {
  const session = await ort.InferenceSession.create(modelBytes);
  try {
    const pixels = size * size * 3;
    const batch = new Uint8Array(inputs.length * pixels);
    for (const [index, input] of inputs.entries()) {
      batch.set(await decode(input.jpeg, input.name), index * pixels);
    }
    const feeds = { [IMAGE]: new ort.Tensor('uint8', batch, [inputs.length, size, size, 3]) };
    const result = await session.run(feeds);
    const probabilities = result[PROBABILITIES];
    if (probabilities === undefined) throw new Error(`exported model has no output "${PROBABILITIES}"`);
    const data = probabilities.data as Float32Array;
    const classes = data.length / inputs.length;
    return inputs.map((input, index) => ({
      name: input.name,
      jpeg: Buffer.from(input.jpeg).toString('base64'),
      probabilities: Array.from(data.subarray(index * classes, (index + 1) * classes)),
    }));
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between the golden probabilities and a fresh run: the round trip. */
export async function verifyGolden(
  modelBytes: Uint8Array,
  size: number,
  golden: readonly GoldenSample[],
  decode: ChipDecoder,
): Promise<number> {
  const inputs = golden.map((sample) => ({ name: sample.name, jpeg: new Uint8Array(Buffer.from(sample.jpeg, 'base64')) }));
  const again = await computeGolden(modelBytes, size, inputs, decode);
  let worst = 0;
  for (const [index, sample] of golden.entries()) {
    const fresh = again[index]?.probabilities ?? [];
    for (const [k, p] of sample.probabilities.entries()) worst = Math.max(worst, Math.abs(p - (fresh[k] ?? Number.NaN)));
  }
  return worst;
}
