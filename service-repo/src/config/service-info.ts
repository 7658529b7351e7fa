/** Name and version of this service, as shown by /v2 and the OpenAPI document. */
export const SERVICE_NAME = 'planet-svc';
export const SERVICE_VERSION = '0.1.0';
/** The model name in Open Inference Protocol paths (/v2/models/planet). */
export const OIP_MODEL_NAME = 'planet';
