/**
 * The value names of the model contract (docs/model-contract.md at the repository root), defined
 * once: the exported model.onnx reads `image` (uint8 [N, S, S, 3]) and writes `probabilities`
 * (float32 [N, 17]); the classifier graph and the training and evaluation graphs built from it
 * also carry `logits`, the head's output before the sigmoid. The service looks the values up by
 * these names, so a rename is a contract change.
 */
export const IMAGE = 'image';
export const LOGITS = 'logits';
export const PROBABILITIES = 'probabilities';
