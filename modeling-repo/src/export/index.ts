/** Public surface of the export stage: the model bundle (model.onnx, model.json, golden.json). */
export { BUNDLE_FILES, publishBundle, readBundle, sha256Hex, writeBundle, type BundleContent } from './bundle.js';
export { CARD_SCHEMA, modelVersion, type ClassMetrics, type EnsembleMember, type ModelCard, type ResizeStep } from './card.js';
export { goldenFromChips, goldenFromSources } from './golden-inputs.js';
export { computeGolden, verifyGolden, type ChipDecoder, type GoldenInput, type GoldenSample } from './golden.js';
