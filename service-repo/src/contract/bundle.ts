/** The files of a model bundle and the contract's numbers for its golden samples. */
export const BUNDLE_FILES = { onnx: 'model.onnx', card: 'model.json', golden: 'golden.json' } as const;
/** The contract asks for at least this many golden samples. */
export const MIN_GOLDEN_SAMPLES = 8;
/** Every golden probability must be reproduced within this absolute difference. */
export const GOLDEN_TOLERANCE = 1e-4;
