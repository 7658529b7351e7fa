/**
 * Public sources of backbones the project knows, so that an error about a missing file can
 * say where to get it.
 */
export interface KnownBackbone {
  readonly file: string;
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
}

export const MOBILENET_V2_QUANT_TFLITE: KnownBackbone = {
  file: 'mobilenet_v2_1.0_224_quant.tflite',
  url: 'https://github.com/google-coral/test_data/raw/master/mobilenet_v2_1.0_224_quant.tflite',
  sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776',
  bytes: 3_610_798,
};

export const KNOWN_BACKBONES: readonly KnownBackbone[] = [MOBILENET_V2_QUANT_TFLITE];

/** The known backbone with this file name or hash, if any. */
export function findKnown(fileName: string, sha256?: string): KnownBackbone | undefined {
  return KNOWN_BACKBONES.find((k) => k.file === fileName || (sha256 !== undefined && k.sha256 === sha256));
}
