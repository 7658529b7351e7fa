/** Public surface of graph composition over exported models: checkpoint ensembles and test-time augmentation. */
export { averageModels } from './ensemble.js';
export { TTA_VIEWS, withTestTimeAugmentation } from './tta.js';
