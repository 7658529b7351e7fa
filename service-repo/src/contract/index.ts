/**
 * The model contract (../shared/design/model-contract.md) as constants: the 17 labels in order, the
 * tensor names and layout, the bundle's files and the golden tolerance. Pure data, imports nothing.
 */
export { BUNDLE_FILES, GOLDEN_TOLERANCE, MIN_GOLDEN_SAMPLES } from './bundle.js';
export { LABEL_COUNT, PLANET_LABELS } from './labels.js';
export { INPUT_NAME, LOGITS_NAME, OUTPUT_NAME, RGB_CHANNELS } from './tensors.js';
