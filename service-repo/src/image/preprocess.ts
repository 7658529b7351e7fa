/** Image bytes -> the model's S x S x 3 input, by the card's decoding and resize chain. */
import type { ModelCard } from '../schemas/index.js';
import { decodeImage, type DecodeLimits } from './decode.js';
import { applyResizeChain } from './resize.js';

export interface PreparedImage {
  readonly name: string;
  /** Size of the decoded upload. */
  readonly width: number;
  readonly height: number;
  /** The model input: S * S * 3 RGB bytes, row-major. */
  readonly input: Uint8Array;
}

export async function prepareImage(bytes: Uint8Array, name: string, card: ModelCard, limits: DecodeLimits): Promise<PreparedImage> {
  const decoded = await decodeImage(bytes, name, limits);
  const resized = applyResizeChain(decoded, card.input.resize);
  return { name, width: decoded.width, height: decoded.height, input: resized.data };
}
