/**
 * Public surface of the pipeline: whole runs from a config (data, model, training, thresholds,
 * bundle), re-export of a finished run, and the pieces the ensemble merge shares with export.
 */
export { AGREEMENT_TOLERANCE, GOLDEN_TOLERANCE, gitCommit, goldenInputs } from './export-run.js';
export { FOLD_RECORD_SEPARATOR, foldDescription, prepareData, trainingFolds, type PreparedData } from './prepare-data.js';
export { reexportRun } from './reexport-run.js';
export { RunInterrupted, trainRun, type TrainRunResult } from './train-run.js';
