import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/index.js';

/** What the training loop needs to continue exactly where it stopped. */
export interface CheckpointMeta {
  readonly schema: 'planet-checkpoint/1';
  /** Epochs completed (the next epoch to run is `epoch`, counting from 0). */
  readonly epoch: number;
  /** Optimizer steps taken so far (drives the learning-rate schedule and Adam's bias correction). */
  readonly step: number;
  readonly bestF2: number;
  readonly bestEpoch: number;
  /** Epochs since the best one, for early stopping. */
  readonly epochsWithoutImprovement: number;
  readonly stopped: boolean;
  readonly paramCount: number;
  readonly stateSha256: string;
  readonly bestSha256: string;
  /** Present when the run keeps a moving average of its parameters (train.emaDecay). */
  readonly averageSha256?: string;
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  /** Flat training state: parameters, then AdamW's first and second moments. */
  readonly state: Float32Array;
  /** Parameters of the best epoch so far (what gets exported). */
  readonly best: Float32Array;
  /** The parameters' moving average after the last epoch (train.emaDecay on). */
  readonly average?: Float32Array;
}

const META = 'checkpoint.json';
const STATE = 'state.bin';
const BEST = 'best.bin';
const AVERAGE = 'average.bin';

function sha256(data: Float32Array): string {
  return createHash('sha256').update(bytesOf(data)).digest('hex');
}

function bytesOf(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Saves a checkpoint into `dir`. The binary files are written first and the JSON last, each
 * atomically; the JSON carries the binaries' hashes, so a crash between the writes is detected
 * on load instead of resuming from mismatched files.
 */
export async function saveCheckpoint(dir: string, checkpoint: Omit<Checkpoint, 'meta'> & {
  meta: Omit<CheckpointMeta, 'schema' | 'stateSha256' | 'bestSha256' | 'averageSha256'>;
}): Promise<void> {
  const { average } = checkpoint;
  await writeFileAtomic(join(dir, STATE), bytesOf(checkpoint.state));
  await writeFileAtomic(join(dir, BEST), bytesOf(checkpoint.best));
  if (average !== undefined) await writeFileAtomic(join(dir, AVERAGE), bytesOf(average));
  const meta: CheckpointMeta = {
    schema: 'planet-checkpoint/1',
    ...checkpoint.meta,
    stateSha256: sha256(checkpoint.state),
    bestSha256: sha256(checkpoint.best),
    ...(average === undefined ? {} : { averageSha256: sha256(average) }),
  };
  await writeFileAtomic(join(dir, META), `${JSON.stringify(meta, null, 2)}\n`);
}

async function readFloats(path: string, expectedSha: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (sha256(floats) !== expectedSha) {
    throw new Error(`checkpoint file ${path} does not match the sha256 recorded in ${META}; the checkpoint is damaged`);
  }
  return floats;
}

/** Loads a checkpoint, verifying that the binaries are the ones its JSON describes. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const metaPath = join(dir, META);
  let meta: Partial<CheckpointMeta>;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as Partial<CheckpointMeta>;
  } catch (error) {
    throw new Error(`cannot read checkpoint ${metaPath}: ${(error as Error).message}`);
  }
  if (meta.schema !== 'planet-checkpoint/1') {
    throw new Error(`${metaPath}: unknown checkpoint schema ${String(meta.schema)}`);
  }
  const valid = meta as CheckpointMeta;
  const state = await readFloats(join(dir, STATE), valid.stateSha256);
  const best = await readFloats(join(dir, BEST), valid.bestSha256);
  if (valid.averageSha256 === undefined) return { meta: valid, state, best };
  return { meta: valid, state, best, average: await readFloats(join(dir, AVERAGE), valid.averageSha256) };
}
