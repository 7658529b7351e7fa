import { setTimeout as sleep } from 'node:timers/promises';

/** One unit of background work, retried as a whole. */
export interface Job {
  readonly name: string;
  readonly run: () => Promise<void>;
  /** When an essential job fails for good, later jobs are pointless and are dropped. */
  readonly essential: boolean;
}

/** How hard to try before giving a job up. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Whether an error is worth retrying (a network error or overloaded server, not a rejected request). */
export type IsRetryable = (error: unknown) => boolean;

/**
 * Runs jobs one after another in the background, in the order they were queued, retrying each
 * with exponential backoff. Nobody awaits a job: callers only queue, so a slow or dead server
 * never blocks them. Backoff timers are unref'd so a waiting retry never keeps the process alive.
 */
export class BackgroundQueue {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private stopped = false;
  private failure: string | undefined;
  lastError: string | undefined;
  dropped = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly retryable: IsRetryable,
    private readonly warn: (line: string) => void,
    /** Told of every failed attempt (the caller may decide to stop waiting). */
    private readonly onFailure: (job: Job) => void = () => undefined,
  ) {}

  /** Jobs queued or running. */
  get pending(): number {
    return this.queued;
  }

  /** Why the queue stopped (an essential job failed), if it did. */
  get gaveUp(): string | undefined {
    return this.failure;
  }

  push(job: Job): void {
    this.queued += 1;
    this.tail = this.tail.then(() => this.execute(job)).finally(() => {
      this.queued -= 1;
    });
  }

  /**
   * Resolves true when every queued job has finished, false if `timeoutMs` passed first. Its
   * timer keeps the process alive (unlike the backoff timers): the caller is waiting on purpose.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const cancel = new AbortController();
    const timer = sleep(timeoutMs, false, { signal: cancel.signal }).catch(() => false);
    const finished = await Promise.race([this.tail.then(() => true), timer]);
    cancel.abort();
    return finished;
  }

  /** Drops every job not yet started. */
  stop(reason: string): void {
    this.stopped = true;
    this.failure ??= reason;
  }

  private async execute(job: Job): Promise<void> {
    if (this.stopped) {
      this.dropped += 1;
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await job.run();
        return;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.onFailure(job);
        const again = this.retryable(error) && attempt < this.policy.attempts && !this.stopped;
        if (!again) {
          this.giveUp(job, attempt);
          return;
        }
        await sleep(Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (attempt - 1)), undefined, { ref: false });
      }
    }
  }

  private giveUp(job: Job, attempts: number): void {
    const reason = `${job.name} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${this.lastError ?? 'unknown error'}`;
    if (job.essential) {
      if (!this.stopped) this.warn(`${reason}; tracking stops here, the run's local records are unaffected`);
      this.stop(reason);
    } else {
      this.dropped += 1;
      this.warn(`${reason}; skipped`);
    }
  }
}
