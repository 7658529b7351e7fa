/**
 * Dynamic batching, in the manner of Triton's dynamic batcher: items submitted by concurrent requests
 * wait in one bounded queue and are run together, up to `maxBatch` items per run, once the batch is
 * full or the oldest item has waited `maxDelayUs`. One run at a time: while a batch runs, the next
 * one gathers, so under load batches grow by themselves and when idle an item runs almost at once.
 */

export interface BatchInfo {
  /** Items in this run. */
  readonly size: number;
  /** Milliseconds each item waited in the queue before its run started. */
  readonly waitsMs: readonly number[];
  /** Milliseconds the run took. */
  readonly runMs: number;
}

export interface BatchQueueOptions<I, O> {
  readonly maxBatch: number;
  /** Longest an item waits for others before a partial batch runs (0: only what arrived in the same tick). */
  readonly maxDelayUs: number;
  /** Most items waiting (not yet running); more are refused with QueueFullError. */
  readonly maxQueue: number;
  /** Runs one batch; must return one output per item, in order. */
  readonly run: (items: readonly I[]) => Promise<readonly O[]>;
  readonly onBatch?: (info: BatchInfo) => void;
}

export class QueueFullError extends Error {
  constructor(readonly depth: number, readonly maxQueue: number, readonly requested: number) {
    super(`inference queue is full (${depth} of ${maxQueue} images waiting, ${requested} more requested); retry later`);
    this.name = 'QueueFullError';
  }
}

export class QueueClosedError extends Error {
  constructor() {
    super('inference queue is closed (the service is shutting down)');
    this.name = 'QueueClosedError';
  }
}

interface Pending<I, O> {
  readonly item: I;
  readonly enqueuedAt: number;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

const US_PER_MS = 1000;

export class BatchQueue<I, O> {
  private readonly pending: Pending<I, O>[] = [];
  private running: Promise<void> | undefined;
  /** Cancels the pending wake-up (a timer, or an immediate for a zero delay). */
  private cancelWake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: BatchQueueOptions<I, O>) {
    if (options.maxBatch < 1 || options.maxQueue < 1) throw new Error('maxBatch and maxQueue must be at least 1');
  }

  /** Items waiting for a run. */
  get depth(): number {
    return this.pending.length;
  }

  /** Queues all items of one request; resolves with their outputs in order, or rejects as a whole. */
  submit(items: readonly I[]): Promise<O[]> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    if (this.pending.length + items.length > this.options.maxQueue) {
      return Promise.reject(new QueueFullError(this.pending.length, this.options.maxQueue, items.length));
    }
    const now = performance.now();
    const outputs = items.map((item) => new Promise<O>((resolve, reject) => {
      this.pending.push({ item, enqueuedAt: now, resolve, reject });
    }));
    this.schedule();
    return Promise.all(outputs);
  }

  /** Refuses new items and waits until everything already queued has run. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.running !== undefined) {
      if (this.running === undefined) this.startRun();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running !== undefined || this.pending.length === 0) return;
    const oldest = this.pending[0]?.enqueuedAt ?? 0;
    const waitedMs = performance.now() - oldest;
    const delayMs = this.options.maxDelayUs / US_PER_MS - waitedMs;
    if (this.pending.length >= this.options.maxBatch || (delayMs <= 0 && this.options.maxDelayUs > 0)) {
      this.startRun();
      return;
    }
    if (this.cancelWake !== undefined) return;
    const wake = (): void => {
      this.cancelWake = undefined;
      if (this.running === undefined) this.startRun();
    };
    // A zero delay still yields once (setImmediate, not a 1 ms timer), so items queued in the same
    // turn of the event loop share a run.
    if (this.options.maxDelayUs === 0) {
      const immediate = setImmediate(wake);
      this.cancelWake = () => { clearImmediate(immediate); };
    } else {
      const timer = setTimeout(wake, Math.max(0, delayMs));
      this.cancelWake = () => { clearTimeout(timer); };
    }
  }

  private startRun(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    const batch = this.pending.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    this.running = this.runBatch(batch).finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private async runBatch(batch: readonly Pending<I, O>[]): Promise<void> {
    const started = performance.now();
    try {
      const outputs = await this.options.run(batch.map((p) => p.item));
      if (outputs.length !== batch.length) throw new Error(`batch run returned ${outputs.length} outputs for ${batch.length} items`);
      const runMs = performance.now() - started;
      this.options.onBatch?.({ size: batch.length, waitsMs: batch.map((p) => started - p.enqueuedAt), runMs });
      batch.forEach((p, i) => { p.resolve(outputs[i] as O); });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
