/**
 * A bounded, closed-loop load client: CONCURRENCY workers on loopback, each sending its next request
 * when the last one is answered, so the load is constant and never piles up. Each request is one
 * Open Inference Protocol infer call (one chip); every result is recorded in the phase that was
 * current when it was sent.
 */
export interface Outcome {
  readonly phase: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly status: number;
  readonly replica: string;
}

export interface PhaseStats {
  readonly phase: string;
  readonly seconds: number;
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly byReplica: Record<string, number>;
  readonly failures: Record<string, number>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The infer request body for a model of input size S: one chip of deterministic pseudo-random bytes. */
export function inferBody(size: number): string {
  const data = Array.from({ length: size * size * 3 }, (_, i) => (i * 7919) % 256);
  return JSON.stringify({ id: 'load', inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, size, size, 3], data }] });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export class LoadClient {
  readonly outcomes: Outcome[] = [];
  private phase = 'warm-up';
  private url = '';
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly phaseStart = new Map<string, number>();
  private readonly phaseEnd = new Map<string, number>();

  constructor(private readonly body: string, private readonly concurrency: number) {}

  /** From now on, requests go to url and count in phase. */
  enter(phase: string, url: string): void {
    const now = performance.now();
    this.phaseEnd.set(this.phase, now);
    this.phaseStart.set(phase, now);
    this.phase = phase;
    this.url = url;
    if (!this.running) {
      this.running = true;
      this.workers = Array.from({ length: this.concurrency }, () => this.work());
    }
  }

  async stop(): Promise<void> {
    this.phaseEnd.set(this.phase, performance.now());
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (this.running) this.outcomes.push(await this.once(this.phase, this.url));
  }

  private async once(phase: string, url: string): Promise<Outcome> {
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: this.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const ok = response.ok && text.includes('"probabilities"');
      return { phase, ok, ms: performance.now() - started, status: response.status, replica: response.headers.get('x-replica') ?? '?' };
    } catch (error) {
      const cause = error instanceof Error ? error.name : 'error';
      return { phase, ok: false, ms: performance.now() - started, status: 0, replica: cause };
    }
  }

  stats(phase: string): PhaseStats {
    const mine = this.outcomes.filter((o) => o.phase === phase);
    const answered = mine.filter((o) => o.ok);
    const latencies = answered.map((o) => o.ms).sort((a, b) => a - b);
    const seconds = ((this.phaseEnd.get(phase) ?? performance.now()) - (this.phaseStart.get(phase) ?? 0)) / 1000;
    const count = (items: Outcome[], key: (o: Outcome) => string): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
      return counts;
    };
    return {
      phase, seconds, sent: mine.length, answered: answered.length, failed: mine.length - answered.length,
      perSecond: answered.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
      byReplica: count(answered, (o) => o.replica), failures: count(mine.filter((o) => !o.ok), (o) => `${o.status} ${o.replica}`),
    };
  }
}
