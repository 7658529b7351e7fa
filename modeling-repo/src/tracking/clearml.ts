import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import type { Config } from '../config/index.js';
import { scalarsOf, type ArtifactKind, type MetricsRecord, type RunStatus, type Tracker } from '../records/index.js';
import { BackgroundQueue, type Job } from './background-queue.js';
import { ClearMLApi, ClearMLCallError } from './clearml-api.js';
import type { ClearMLSettings } from './clearml-config.js';

/** Tuning of the background sender; the defaults suit a real server. */
export interface ClearMLTrackerOptions {
  readonly project: string;
  /** Task name; empty or absent means the run folder's name. */
  readonly taskName?: string;
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
  readonly requestTimeoutMs?: number;
  readonly retryAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** How long `onRunEnd` waits for the backlog before giving up. */
  readonly endTimeoutMs?: number;
}

/** A `training_stats_scalar` event of `events.add_batch`. */
interface ScalarEvent {
  task?: string;
  type: 'training_stats_scalar';
  metric: string;
  variant: string;
  value: number;
  iter: number;
  timestamp: number;
}

/** One hyperparameter as `tasks.edit_hyper_params` takes it. */
interface ParamsItem {
  section: string;
  name: string;
  value: string;
  type: string;
}

const DEFAULTS = { requestTimeoutMs: 10_000, retryAttempts: 5, retryBaseMs: 500, retryMaxMs: 8_000, endTimeoutMs: 30_000 };

function paramType(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value === 'boolean' ? 'bool' : 'str';
}

/** Flattens a config into dotted `General` hyperparameters, the section ClearML shows for connected dicts. */
export function hyperparams(config: unknown, prefix = ''): ParamsItem[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    const value = typeof config === 'string' ? config : (JSON.stringify(config) as string | undefined) ?? '';
    return [{ section: 'General', name: prefix, value, type: paramType(config) }];
  }
  return Object.entries(config as Record<string, unknown>).flatMap(([key, value]) => hyperparams(value, prefix === '' ? key : `${prefix}.${key}`));
}

/** `loss/train` → metric `loss`, variant `train` (split at the last `/`); a plain key is its own metric and variant, as ClearML's TensorBoard binding does. */
export function metricOf(key: string): { metric: string; variant: string } {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? { metric: key, variant: key } : { metric: key.slice(0, slash), variant: key.slice(slash + 1) };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Reports a run to ClearML: a task in the configured project with the resolved config as
 * hyperparameters and as a configuration object, scalars through `events.add_batch`, the exported
 * model uploaded to the files server as the task's output model, and the final status. All calls
 * run in the background in order; a slow or unreachable server costs the training loop nothing.
 */
export class ClearMLTracker implements Tracker {
  private readonly api: ClearMLApi;
  private readonly queue: BackgroundQueue;
  private readonly opts: typeof DEFAULTS & ClearMLTrackerOptions;
  private readonly buffer: ScalarEvent[] = [];
  private projectId: string | undefined;
  private taskId: string | undefined;
  private runDir = '';
  private taskName = '';
  /** The experiment's page, once the task exists. */
  link: string | undefined;
  /** Resolves when a call fails before the task exists: the server may be unreachable. */
  private readonly startFailed: Promise<void>;
  private markStartFailed: () => void = () => undefined;

  constructor(private readonly settings: ClearMLSettings, options: ClearMLTrackerOptions) {
    this.opts = { ...DEFAULTS, ...options };
    this.api = new ClearMLApi(settings, this.opts.requestTimeoutMs);
    const warn = this.opts.warn ?? ((line: string) => { console.warn(line); });
    this.startFailed = new Promise((resolve) => { this.markStartFailed = resolve; });
    this.queue = new BackgroundQueue(
      { attempts: this.opts.retryAttempts, baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs },
      (error) => !(error instanceof ClearMLCallError) || error.retryable,
      (line) => { warn(`ClearML: ${line}`); },
      () => {
        if (this.taskId === undefined) this.markStartFailed();
      },
    );
  }

  private say(line: string): void {
    (this.opts.log ?? ((text: string) => { console.log(text); }))(`ClearML: ${line}`);
  }

  private job(name: string, run: () => Promise<void>, essential = true): void {
    const job: Job = { name, run, essential };
    this.queue.push(job);
  }

  /** Queues the task's creation and returns at once; the link is printed when the task exists. */
  onRunStart(config: Config, runDir: string): Promise<void> {
    this.runDir = runDir;
    this.taskName = this.opts.taskName === undefined || this.opts.taskName === '' ? basename(runDir) : this.opts.taskName;
    this.say(`reporting to ${this.settings.apiHost} (settings from ${this.settings.source}), project "${this.opts.project}", task "${this.taskName}"`);
    this.job('auth.login', () => this.api.login());
    this.job('projects.get_all_ex', () => this.findProject());
    this.job('projects.create', () => this.createProject());
    this.job('tasks.create', () => this.createTask(runDir));
    this.job('tasks.edit_hyper_params', async () => {
      await this.api.call('tasks.edit_hyper_params', { task: this.requireTask(), hyperparams: hyperparams(config), replace_hyperparams: 'all' });
    });
    this.job('tasks.edit_configuration', async () => {
      const item = { name: 'config', value: stringify(config), type: 'yaml', description: 'Resolved training configuration (defaults < experiment < command line)' };
      await this.api.call('tasks.edit_configuration', { task: this.requireTask(), configuration: [item] });
    });
    this.job('tasks.started', async () => {
      await this.api.call('tasks.started', { task: this.requireTask() });
    });
    return Promise.resolve();
  }

  /** Queues the record's scalars as one `events.add_batch` (one per epoch or evaluation) and returns at once. */
  onScalars(step: number, record: MetricsRecord): Promise<void> {
    this.addScalars(step, scalarsOf(record));
    return Promise.resolve();
  }

  /** Queues scalars given as `metric/variant` tags. */
  addScalars(step: number, scalars: Readonly<Record<string, number>>): void {
    const timestamp = Date.now();
    for (const [key, value] of Object.entries(scalars)) {
      // JSON has no NaN or Infinity; the local records keep them.
      if (!Number.isFinite(value)) continue;
      this.buffer.push({ type: 'training_stats_scalar', ...metricOf(key), value, iter: Math.round(step), timestamp });
    }
    this.queueFlush();
  }

  /** Queues the upload of an exported bundle (or .onnx model) as the task's output model; other files stay local. */
  onArtifact(path: string, kind: ArtifactKind): Promise<void> {
    if (kind === 'bundle' || kind === 'model') this.job('upload model', () => this.uploadModel(path), false);
    return Promise.resolve();
  }

  /** Sends what is left and the final status, waiting at most `endTimeoutMs`; never throws. */
  async onRunEnd(status: RunStatus, error?: Error): Promise<void> {
    this.queueFlush();
    this.job(`tasks.${status}`, async () => {
      const reason = status === 'completed' ? 'training finished' : `training ${status}`;
      const message = error === undefined ? {} : { status_message: error.message };
      await this.api.call(`tasks.${status}`, { task: this.requireTask(), status_reason: reason, ...message, force: true });
    });
    // A server that failed before the task existed is not waited for: nothing of this run is there.
    const waits: Promise<boolean | 'unreachable'>[] = [this.queue.drain(this.opts.endTimeoutMs)];
    if (this.taskId === undefined) waits.push(this.startFailed.then(() => 'unreachable' as const));
    const outcome = await Promise.race(waits);
    const finished = outcome === true;
    if (outcome === 'unreachable' && this.queue.gaveUp === undefined && this.taskId === undefined) {
      this.abandon();
      this.warnEnd(`${this.settings.apiHost} was never reachable (${this.queue.lastError ?? ''}); nothing was recorded there`);
    } else if (!finished) {
      const left = this.abandon();
      this.warnEnd(`gave up after ${this.opts.endTimeoutMs / 1000} s waiting for ${this.settings.apiHost}: ${left} call(s) not sent (last error: ${this.queue.lastError ?? 'none, the server is slow'})`);
    } else if (this.queue.gaveUp !== undefined) {
      this.warnEnd(`the experiment is incomplete: ${this.queue.gaveUp}`);
    } else {
      this.say(`task ${status}: ${this.link ?? ''}`);
    }
  }

  /** Drops the backlog and cancels requests in flight; returns how many calls were left. */
  private abandon(): number {
    const left = this.queue.pending;
    this.queue.stop('run ended');
    this.api.abort();
    this.queue.dropped += left;
    return left;
  }

  private warnEnd(problem: string): void {
    (this.opts.warn ?? ((line: string) => { console.warn(line); }))(`ClearML: ${problem}. The run's local records in ${this.runDir} are complete.`);
  }

  private requireTask(): string {
    if (this.taskId === undefined) throw new ClearMLCallError('tasks', 'no task was created', false);
    return this.taskId;
  }

  private queueFlush(): void {
    if (this.buffer.length === 0) return;
    const events = this.buffer.splice(0, this.buffer.length);
    this.job(`events.add_batch (${events.length} scalars)`, async () => {
      const task = this.requireTask();
      const result = await this.api.addBatch(events.map((event) => ({ ...event, task })));
      if (result.errors > 0) throw new ClearMLCallError('events.add_batch', `${result.errors} of ${events.length} events refused`, false);
    }, false);
  }

  private async findProject(): Promise<void> {
    const data = await this.api.call('projects.get_all_ex', { name: `^${escapeRegex(this.opts.project)}$`, only_fields: ['id', 'name'], search_hidden: true });
    const projects = Array.isArray(data.projects) ? (data.projects as { id?: unknown }[]) : [];
    const id = projects[0]?.id;
    if (typeof id === 'string') this.projectId = id;
  }

  private async createProject(): Promise<void> {
    if (this.projectId !== undefined) return;
    const data = await this.api.call('projects.create', { name: this.opts.project, description: 'Planet chip classifier experiments' });
    if (typeof data.id !== 'string') throw new ClearMLCallError('projects.create', 'answer has no id', false);
    this.projectId = data.id;
  }

  private async createTask(runDir: string): Promise<void> {
    const body = { name: this.taskName, type: 'training', project: this.projectId, comment: `Local run records: ${runDir}` };
    const data = await this.api.call('tasks.create', body);
    if (typeof data.id !== 'string') throw new ClearMLCallError('tasks.create', 'answer has no id', false);
    this.taskId = data.id;
    this.link = `${this.settings.webHost}/projects/${this.projectId ?? '*'}/experiments/${data.id}/output/log`;
    this.say(`experiment ${this.link}`);
  }

  /** Uploads model.onnx of a bundle folder (or an .onnx file) and makes it the task's output model. */
  private async uploadModel(path: string): Promise<void> {
    const isDir = (await stat(path)).isDirectory();
    const onnx = isDir ? join(path, 'model.onnx') : path;
    const card = isDir ? (JSON.parse(await readFile(join(path, 'model.json'), 'utf8').catch(() => '{}')) as { labels?: string[]; name?: string }) : {};
    const task = this.requireTask();
    const objectPath = `${this.opts.project}/${this.taskName}.${task}/models/model.onnx`;
    const uri = await this.api.upload(objectPath, await readFile(onnx), 'model.onnx');
    const labels = Object.fromEntries((card.labels ?? []).map((label, index) => [label, index]));
    const created = await this.api.call('models.create', {
      uri, name: card.name ?? this.taskName, framework: 'ONNX', labels, project: this.projectId, task, ready: true,
      design: { card: JSON.stringify(card) }, comment: `Exported bundle ${path}`,
    });
    if (typeof created.id !== 'string') throw new ClearMLCallError('models.create', 'answer has no id', false);
    await this.api.call('models.update_for_task', { task, override_model_id: created.id });
    this.say(`output model ${uri}`);
  }
}
