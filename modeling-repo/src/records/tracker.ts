import { basename, join, relative } from 'node:path';
import type { Config } from '../config/index.js';
import { writeFileAtomic } from '../util/index.js';
import { MetricsLog } from './metrics-log.js';
import { scalarsOf, type MetricsRecord } from './metrics.js';
import { writeReport, type ArtifactEntry } from './report.js';
import { saveResolvedConfig } from './run-dir.js';
import { TensorBoardWriter } from './tensorboard.js';

export type RunStatus = 'completed' | 'failed' | 'stopped';
export type ArtifactKind = 'checkpoint' | 'bundle' | 'model' | 'report' | 'config' | 'metrics' | 'other';

/**
 * Where a training run reports what it does. The training loop talks only to this interface; the
 * local run records implement it, and so can a team tracker (ClearML) or anything else.
 */
export interface Tracker {
  /** A run starts in `runDir` with this configuration (`sources`: where each key came from). */
  onRunStart(config: Config, runDir: string, sources?: Readonly<Record<string, string>>): Promise<void>;
  /** An epoch ended or an evaluation finished; `step` is the optimizer step count. */
  onScalars(step: number, record: MetricsRecord): Promise<void>;
  /** A file worth keeping was written (checkpoint, exported bundle, ...). */
  onArtifact(path: string, kind: ArtifactKind): Promise<void>;
  /** The run ended; `error` says why when it failed. */
  onRunEnd(status: RunStatus, error?: Error): Promise<void>;
}

/** Written at the end of a run: how it ended and how long it took. */
export const RUN_SUMMARY_FILE = 'run.json';

/**
 * The local run records: `config.yaml`, `metrics.jsonl`, a TensorBoard event file, `report.html`
 * (re-rendered after every record, so it can be watched during training) and `run.json`.
 */
export class LocalTracker implements Tracker {
  private runDir: string | undefined;
  private metrics: MetricsLog | undefined;
  private events: TensorBoardWriter | undefined;
  private startedAt = new Date();
  private readonly artifacts: ArtifactEntry[] = [];
  private readonly now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  async onRunStart(config: Config, runDir: string, sources?: Readonly<Record<string, string>>): Promise<void> {
    this.runDir = runDir;
    this.startedAt = this.now();
    await saveResolvedConfig(runDir, config, sources);
    this.metrics = new MetricsLog(runDir, this.now);
    this.events = new TensorBoardWriter(runDir, () => this.now().getTime());
    await writeReport(runDir, { status: 'running', generatedAt: this.now() });
  }

  async onScalars(step: number, record: MetricsRecord): Promise<void> {
    const runDir = this.requireStarted();
    const written = this.metrics?.append(record) ?? record;
    this.events?.addScalars(step, scalarsOf(written));
    await writeReport(runDir, { status: 'running', artifacts: this.artifacts, generatedAt: this.now() });
  }

  onArtifact(path: string, kind: ArtifactKind): Promise<void> {
    const runDir = this.requireStarted();
    const shown = path.startsWith(runDir) ? relative(runDir, path) : path;
    // A checkpoint rewritten every epoch is listed once.
    if (!this.artifacts.some((item) => item.path === shown && item.kind === kind)) this.artifacts.push({ path: shown, kind });
    return Promise.resolve();
  }

  async onRunEnd(status: RunStatus, error?: Error): Promise<void> {
    const runDir = this.requireStarted();
    this.metrics?.close();
    this.events?.close();
    const endedAt = this.now();
    const summary = {
      run: basename(runDir),
      status,
      startedAt: this.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      seconds: (endedAt.getTime() - this.startedAt.getTime()) / MS_PER_SECOND,
      ...(error === undefined ? {} : { error: error.message }),
      artifacts: this.artifacts,
    };
    await writeFileAtomic(join(runDir, RUN_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    await writeReport(runDir, { status, artifacts: this.artifacts, generatedAt: endedAt });
  }

  private requireStarted(): string {
    if (this.runDir === undefined) throw new Error('LocalTracker: onRunStart must be called first');
    return this.runDir;
  }
}

const MS_PER_SECOND = 1000;

type Warn = (message: string) => void;

/**
 * Fans every call out to several trackers, in order. Errors of `required` trackers (the local
 * records) propagate: a run without its records is not worth continuing. Errors of `optional`
 * trackers (a remote service) are reported through `warn` and never stop training.
 */
export class CompositeTracker implements Tracker {
  private readonly required: readonly Tracker[];
  private readonly optional: readonly Tracker[];
  private readonly warn: Warn;

  constructor(required: readonly Tracker[], optional: readonly Tracker[] = [], warn: Warn = (message) => { console.warn(message); }) {
    this.required = required;
    this.optional = optional;
    this.warn = warn;
  }

  onRunStart(config: Config, runDir: string, sources?: Readonly<Record<string, string>>): Promise<void> {
    return this.fanOut('onRunStart', (tracker) => tracker.onRunStart(config, runDir, sources));
  }

  onScalars(step: number, record: MetricsRecord): Promise<void> {
    return this.fanOut('onScalars', (tracker) => tracker.onScalars(step, record));
  }

  onArtifact(path: string, kind: ArtifactKind): Promise<void> {
    return this.fanOut('onArtifact', (tracker) => tracker.onArtifact(path, kind));
  }

  onRunEnd(status: RunStatus, error?: Error): Promise<void> {
    return this.fanOut('onRunEnd', (tracker) => tracker.onRunEnd(status, error));
  }

  private async fanOut(method: string, call: (tracker: Tracker) => Promise<void>): Promise<void> {
    for (const tracker of this.required) await call(tracker);
    for (const tracker of this.optional) {
      try {
        await call(tracker);
      } catch (error) {
        const name = tracker.constructor.name;
        this.warn(`tracker ${name} failed in ${method} (training continues): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
