import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import type { ModelCard } from './card.js';
import type { GoldenSample } from './golden.js';

export const BUNDLE_FILES = ['model.onnx', 'golden.json', 'model.json'] as const;

export interface BundleContent {
  readonly modelBytes: Uint8Array;
  /** The card without the `onnx` block, which is computed from the bytes here. */
  readonly card: Omit<ModelCard, 'onnx'>;
  readonly opset: number;
  readonly golden: readonly GoldenSample[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes the three bundle files. Each is written atomically and the card goes last, so a reader
 * that finds `model.json` finds the model it describes (its sha256 is in the card).
 */
export async function writeBundle(dir: string, content: BundleContent): Promise<ModelCard> {
  const card: ModelCard = { ...content.card, onnx: { sha256: sha256Hex(content.modelBytes), opset: content.opset } };
  await writeFileAtomic(join(dir, 'model.onnx'), content.modelBytes);
  await writeFileAtomic(join(dir, 'golden.json'), `${JSON.stringify(content.golden)}\n`);
  await writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  return card;
}

/** Copies a bundle to another folder (the `models/` folder that DVC versions), file by file, atomically. */
export async function publishBundle(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const file of BUNDLE_FILES) {
    const temp = join(to, `.${file}.publishing`);
    await copyFile(join(from, file), temp);
    await rename(temp, join(to, file));
  }
}

/** Reads a bundle's card and checks the model bytes against the sha256 it records. */
export async function readBundle(dir: string): Promise<{ card: ModelCard; modelBytes: Uint8Array; golden: GoldenSample[] }> {
  const cardPath = join(dir, 'model.json');
  let card: ModelCard;
  try {
    card = JSON.parse(await readFile(cardPath, 'utf8')) as ModelCard;
  } catch (error) {
    throw new Error(`no readable model card at ${cardPath} (is ${dir} an exported bundle?): ${(error as Error).message}`);
  }
  const modelBytes = new Uint8Array(await readFile(join(dir, 'model.onnx')));
  if (sha256Hex(modelBytes) !== card.onnx.sha256) {
    throw new Error(`${join(dir, 'model.onnx')} does not match the sha256 in ${cardPath}`);
  }
  const golden = JSON.parse(await readFile(join(dir, 'golden.json'), 'utf8')) as GoldenSample[];
  return { card, modelBytes, golden };
}
