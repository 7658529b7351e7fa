/**
 * Writes a tiny, valid model bundle (model.onnx, model.json, golden.json) by code, so tests and the
 * benchmark never depend on the modeling pipeline. golden.json holds real generated JPEGs and PNGs
 * (a CMYK JPEG among them, like the Planet chips) with probabilities computed by an independent
 * route: reference decoding and resizing (./reference.ts) and one ONNX Runtime run per image.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp, { type Sharp } from 'sharp';
import { INPUT_NAME, OUTPUT_NAME } from '../../src/contract/index.js';
import type { ModelCard } from '../../src/schemas/index.js';
import { referencePrepare } from './reference.js';
import { buildTinyOnnx, seededRandom } from './tiny-onnx.js';

const TINY_LABELS = [
  'agriculture', 'artisinal_mine', 'bare_ground', 'blooming', 'blow_down', 'clear', 'cloudy',
  'conventional_mine', 'cultivation', 'habitation', 'haze', 'partly_cloudy', 'primary', 'road',
  'selective_logging', 'slash_burn', 'water',
];

interface TestImage {
  name: string;
  bytes: Buffer;
}

export interface TinyBundleOptions {
  /** Model input size S. */
  size?: number;
  /** The card's resize chain (default: reduce to S/2, then back up to S, like a thumbnail-trained model). */
  resize?: { to: number; kernel: string }[];
  version?: string;
  seed?: number;
}

export interface TinyBundle {
  dir: string;
  card: ModelCard;
  golden: { name: string; jpeg: string; probabilities: number[] }[];
  images: TestImage[];
  onnx: Uint8Array;
}

/** Smooth RGB content with some texture, so resizing matters and JPEG keeps most of it. */
function syntheticRgb(width: number, height: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const phase = [random() * 6, random() * 6, random() * 6];
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const wave = Math.sin((x + 1) * 0.3 + phase[c]!) * Math.cos((y + 2) * 0.23 + c);
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 100 * wave + (random() - 0.5) * 40)));
      }
    }
  }
  return data;
}

const raw = (w: number, h: number, seed: number, channels: 1 | 3 | 4 = 3): Sharp => {
  const rgb = syntheticRgb(w, h, seed);
  if (channels === 3) return sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
  if (channels === 1) {
    const grey = Buffer.alloc(w * h);
    for (let i = 0; i < w * h; i++) grey[i] = rgb[i * 3]!;
    return sharp(grey, { raw: { width: w, height: h, channels: 1 } });
  }
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = (i * 7) % 256;
  }
  return sharp(rgba, { raw: { width: w, height: h, channels: 4 } });
};

/** Images of every kind the service accepts, in sizes that exercise every resize path. */
async function makeTestImages(): Promise<TestImage[]> {
  return [
    { name: 'chip_cmyk_256.jpg', bytes: await raw(256, 256, 1).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer() },
    { name: 'chip_cmyk_64.jpg', bytes: await raw(64, 64, 2).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer() },
    { name: 'rgb_64.jpg', bytes: await raw(64, 64, 3).jpeg({ quality: 90 }).toBuffer() },
    { name: 'rgb_48.png', bytes: await raw(48, 48, 4).png().toBuffer() },
    { name: 'rgba_50x30.png', bytes: await raw(50, 30, 5, 4).png().toBuffer() },
    { name: 'grey_20.png', bytes: await raw(20, 20, 6, 1).png().toBuffer() },
    { name: 'small_7x5.png', bytes: await raw(7, 5, 7).png().toBuffer() },
    { name: 'exact_16.jpg', bytes: await raw(16, 16, 8).jpeg({ quality: 95 }).toBuffer() },
    { name: 'rgb_100x37.jpg', bytes: await raw(100, 37, 9).jpeg({ quality: 85 }).toBuffer() },
  ];
}

/** Probabilities of each image through the independent route, one ORT run per image. */
async function goldenProbabilities(onnx: Uint8Array, images: TestImage[], chain: { to: number }[], size: number): Promise<number[][]> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out: number[][] = [];
    for (const image of images) {
      const pixels = await referencePrepare(image.bytes, chain);
      const feeds = { image: new ort.Tensor('uint8', pixels.rgb, [1, size, size, 3]) };
      const result = await session.run(feeds);
      out.push(Array.from(result.probabilities!.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

function tinyCard(size: number, resize: { to: number; kernel: string }[], onnx: Uint8Array, version: string): ModelCard {
  const thresholds = Object.fromEntries(TINY_LABELS.map((label, i) => [label, 0.2 + (i % 5) * 0.1]));
  const card = {
    schema: 'planet-model-card/1' as const,
    name: 'planet-tiny-test',
    version,
    createdAt: '2026-01-01T00:00:00Z',
    labels: TINY_LABELS,
    thresholds,
    input: {
      name: INPUT_NAME, size, layout: 'NHWC' as const, dtype: 'uint8' as const, colour: 'RGB' as const,
      decode: '4-band CMYK JPEG: 255 - first three bands; otherwise sRGB without alpha',
      resize,
    },
    output: { name: OUTPUT_NAME, activation: 'sigmoid' },
    metrics: { f2: 0, split: 'none: a test model with random weights', images: 0 },
    // As the modeling pipeline's smoke run writes it: the page shows its synthetic-data notice.
    training: { experiment: 'tiny-test', data: 'synthetic: generated test images, random weights' },
    onnx: { sha256: createHash('sha256').update(onnx).digest('hex'), opset: 17 },
  };
  return card;
}

/** Builds the bundle in memory and writes it to `dir` (created if needed). */
export async function writeTinyBundle(dir: string, options: TinyBundleOptions = {}): Promise<TinyBundle> {
  const size = options.size ?? 16;
  const resize = options.resize ?? [{ to: size / 2, kernel: 'area' }, { to: size, kernel: 'area' }];
  const onnx = buildTinyOnnx({ size, seed: options.seed ?? 42 });
  const images = await makeTestImages();
  const probabilities = await goldenProbabilities(onnx, images, resize, size);
  const golden = images.map((image, i) => ({ name: image.name, jpeg: image.bytes.toString('base64'), probabilities: probabilities[i]! }));
  const card = tinyCard(size, resize, onnx, options.version ?? '0.0.0-tiny');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), onnx);
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  await writeFile(join(dir, 'golden.json'), `${JSON.stringify(golden)}\n`);
  return { dir, card, golden, images, onnx };
}
