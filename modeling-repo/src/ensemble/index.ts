/** Public surface of the ensemble merge: member bundles of one split (or the K folds of one K-fold run) into one averaged bundle. */
export { foldOverrides, kfoldRun, kfoldRunOverrides, type KFoldResult } from './kfold.js';
export { loadMembers, mergeBundles, type MergeResult } from './merge.js';
