import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRecord, parseMetrics, type MetricsRecord } from './metrics.js';
import { writeAll } from './write-all.js';

export const METRICS_FILE = 'metrics.jsonl';

/**
 * Appends metrics records to `<runDir>/metrics.jsonl`, one JSON line each. Every line is handed
 * to the operating system as it is appended, so a crash loses nothing already logged and other
 * tools can follow the file while a run trains. A resumed run keeps appending to the same file.
 */
export class MetricsLog {
  readonly path: string;
  private fd: number | undefined;
  private readonly now: () => Date;

  constructor(runDir: string, now: () => Date = () => new Date()) {
    mkdirSync(runDir, { recursive: true });
    this.path = join(runDir, METRICS_FILE);
    this.fd = openSync(this.path, 'a');
    this.now = now;
  }

  /** Checks the record, stamps its time when missing, writes it; returns what was written. */
  append(record: MetricsRecord): MetricsRecord {
    if (this.fd === undefined) throw new Error(`${this.path}: metrics log is closed`);
    const stamped = checkRecord({ ...record, time: record.time ?? this.now().toISOString() }, `${this.path} (new ${record.kind} record)`);
    writeAll(this.fd, new TextEncoder().encode(`${JSON.stringify(stamped)}\n`));
    return stamped;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a `metrics.jsonl` file; errors name the file, the line and the field. */
export function readMetrics(path: string): MetricsRecord[] {
  return parseMetrics(readFileSync(path, 'utf8'), path);
}
