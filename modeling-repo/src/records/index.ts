/** Public surface of the run records: run folders, metrics, TensorBoard events, report, trackers. */
export { createRunDir, runTimestamp, saveResolvedConfig, CONFIG_FILE } from './run-dir.js';
export { MetricsLog, readMetrics, METRICS_FILE } from './metrics-log.js';
export {
  parseMetrics, scalarsOf,
  type ClassScores, type EpochRecord, type EvalRecord, type MetricsRecord,
} from './metrics.js';
export { TensorBoardWriter, readEventFile, type ScalarValue, type TensorBoardEvent } from './tensorboard.js';
export { crc32c, maskCrc, unmaskCrc } from './crc32c.js';
export { latestEpochs, renderReport, writeReport, REPORT_FILE, type ArtifactEntry, type ReportInput, type RunState } from './report.js';
export {
  CompositeTracker, LocalTracker, RUN_SUMMARY_FILE,
  type ArtifactKind, type RunStatus, type Tracker,
} from './tracker.js';
