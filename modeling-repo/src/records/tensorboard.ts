import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, encodeEvent, FILE_VERSION, type TensorBoardEvent } from './event-proto.js';
import { frameRecord, readRecords } from './tfrecord.js';
import { writeAll } from './write-all.js';

export type { TensorBoardEvent, ScalarValue } from './event-proto.js';

const MS_PER_SECOND = 1000;

/**
 * Writes scalars to a TensorBoard event file (`events.out.tfevents.<secs>.<hostname>`) in `dir`.
 * Each event is written as soon as it is added, so TensorBoard shows a run while it trains:
 *   npx tensorboard --logdir runs   (or any TensorBoard installation)
 */
export class TensorBoardWriter {
  readonly path: string;
  private fd: number | undefined;
  private readonly now: () => number;

  constructor(dir: string, now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    const wallTime = now() / MS_PER_SECOND;
    this.path = join(dir, `events.out.tfevents.${Math.floor(wallTime)}.${hostname()}`);
    this.fd = openSync(this.path, 'a');
    this.now = now;
    this.write({ wallTime, step: 0, fileVersion: FILE_VERSION, scalars: [] });
  }

  /** Logs scalars at a step as one event; non-finite values are kept (TensorBoard shows them). */
  addScalars(step: number, scalars: Readonly<Record<string, number>>): void {
    const values = Object.entries(scalars).map(([tag, value]) => ({ tag, value }));
    if (values.length === 0) return;
    this.write({ wallTime: this.now() / MS_PER_SECOND, step, scalars: values });
  }

  addScalar(tag: string, value: number, step: number): void {
    this.addScalars(step, { [tag]: value });
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private write(event: TensorBoardEvent): void {
    if (this.fd === undefined) throw new Error(`${this.path}: event file is closed`);
    writeAll(this.fd, frameRecord(encodeEvent(event)));
  }
}

/** Reads an event file back, checking every record's CRCs. */
export function readEventFile(path: string): TensorBoardEvent[] {
  return readRecords(readFileSync(path), path).map((record, index) => {
    try {
      return decodeEvent(record);
    } catch (error) {
      throw new Error(`${path}: record ${index} is not an Event proto: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
