/**
 * Fetching the model bundle this service serves from a DVC remote, speaking DVC 3's formats: the
 * pull only, in a standalone copy of the modeling repository's DVC reader (the two packages share
 * no code; test/dvc-format.test.ts pins both to the same format examples, see ARCHITECTURE.md).
 * `modelPull` is `npm run model:pull` and what the Kubernetes init container imports by path.
 */
export { CorruptObjectError, objectPath } from './cache.js';
export { modelPull } from './cli.js';
export { parsePointer } from './pointer.js';
