/**
 * The names and layout of the model's tensors, as the model contract fixes them (model.onnx: one
 * input `image`, uint8 [N, S, S, 3] RGB; one output `probabilities`, float32 [N, 17]). Defined once
 * here: the card schema, the graph checks, the worker, the Open Inference Protocol routes and the
 * test graphs all take them from this file.
 */
export const INPUT_NAME = 'image' as const;
export const OUTPUT_NAME = 'probabilities' as const;
/**
 * The pre-sigmoid scores inside the modeling pipeline's graph. Not an output of an exported
 * model: the service never reads it, and refuses a graph whose output is named so.
 */
export const LOGITS_NAME = 'logits' as const;
/** Channels of the input image (RGB), the last dimension of [N, S, S, 3]. */
export const RGB_CHANNELS = 3;
