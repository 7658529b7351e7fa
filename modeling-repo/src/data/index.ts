/** Public surface of the data stage: labels, decoding, resizing, sources, cache, split, batches. */
export { applyDihedral, DIHEDRAL, resolveDihedral, transformChip, type Dihedral } from './augment.js';
export { CACHE_FORMAT, cacheKey, readChipCache, writeChipCache, type ChipCacheEntry } from './cache.js';
export { checkChipSet, chipBytes, labelCounts, meanRgb, subsetChips, type ChipSet } from './chipset.js';
export { decodeEntries, loadChipSet, type LoadOptions, type LoadReport } from './dataset.js';
export { DECODE_DESCRIPTION, DECODER_VERSION, DecodeError, decodeChip, decodeImage, type DecodedImage } from './decode.js';
export {
  DataError, LABELS, NUM_LABELS, parseLabels, readLabels, tagsOf,
  type DataIssue, type InvalidPolicy, type Label, type LabelTable,
} from './labels.js';
export { findKaggleLayout, writeKaggleLayout, type KaggleLayout, type WriteLayoutOptions } from './layout.js';
export { BatchLoader, evaluationLoader, type Batch, type LastBatch, type LoaderOptions } from './loader.js';
export { betaSymmetric, mixBatch, ownWeight, type MixupSetting } from './mixup.js';
export { adjustSharpness, binomialBlur, sharpnessAmount, type SharpnessJitter } from './sharpness.js';
export { areaResize, RESIZE_CHAIN, RESIZE_DESCRIPTION, resizeChain, type ResizeStep } from './resize.js';
export { describeSplit, iterativeStratification, stratifiedSplit, type Split } from './split.js';
export { collectImages, imageName, listSource, signSource, type ImageEntry, type SourceSignature } from './sources.js';
export { makeSynthetic, SYNTHETIC_TAGS, type SyntheticOptions } from './synthetic.js';
