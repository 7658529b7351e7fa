import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The records of `metrics.jsonl`: one `epoch` line per training epoch and one `eval` line per
 * evaluation. The report, TensorBoard and any team tracker are all fed from these.
 */

const ClassScoresSchema = Type.Object({
  precision: Type.Number(),
  recall: Type.Number(),
  f2: Type.Number(),
  /** Images that truly have the tag. */
  support: Type.Optional(Type.Number()),
  /** Images predicted to have it. */
  predicted: Type.Optional(Type.Number()),
});

export const EpochRecordSchema = Type.Object({
  kind: Type.Literal('epoch'),
  /** 1-based epoch number. */
  epoch: Type.Integer({ minimum: 1 }),
  /** Optimizer steps taken so far. */
  step: Type.Integer({ minimum: 0 }),
  /** ISO time the line was written; `MetricsLog` fills it in when absent. */
  time: Type.Optional(Type.String()),
  /** Mean training loss over the epoch. */
  trainLoss: Type.Number(),
  valLoss: Type.Optional(Type.Number()),
  /** Validation mean per-image F2 at the fixed start threshold (tuning happens in `eval`). */
  valF2: Type.Optional(Type.Number()),
  /** With a weight average (train.emaDecay): the last step's own weights' F2 at the same threshold; valF2 is the average's. */
  valF2Raw: Type.Optional(Type.Number()),
  /** Learning rate (before group multipliers) at the end of the epoch. */
  lr: Type.Number(),
  /** Training throughput over the epoch. */
  imagesPerSecond: Type.Number(),
  /** Wall time of the epoch, training and validation. */
  seconds: Type.Number(),
});

export const EvalRecordSchema = Type.Object({
  kind: Type.Literal('eval'),
  /** Which data: `val` for the validation split, or a name for other data. */
  split: Type.String(),
  step: Type.Integer({ minimum: 0 }),
  epoch: Type.Optional(Type.Integer({ minimum: 0 })),
  time: Type.Optional(Type.String()),
  images: Type.Integer({ minimum: 0 }),
  /** Mean per-image F2 with the tuned per-class thresholds. */
  f2: Type.Number(),
  /** Mean per-image F2 with every class at `fixedThreshold`. */
  f2AtFixedThreshold: Type.Number(),
  fixedThreshold: Type.Number(),
  loss: Type.Optional(Type.Number()),
  /** Tuned threshold per label. */
  thresholds: Type.Record(Type.String(), Type.Number()),
  /** Scores per label at the tuned thresholds. */
  perClass: Type.Record(Type.String(), ClassScoresSchema),
});

export type ClassScores = Static<typeof ClassScoresSchema>;
export type EpochRecord = Static<typeof EpochRecordSchema>;
export type EvalRecord = Static<typeof EvalRecordSchema>;
export type MetricsRecord = EpochRecord | EvalRecord;

/** Parses the text of a `metrics.jsonl` file; errors name `label`, the line and the field. */
export function parseMetrics(text: string, label: string): MetricsRecord[] {
  const records: MetricsRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    records.push(parseLine(line, `${label}:${index + 1}`));
  });
  return records;
}

function parseLine(line: string, where: string): MetricsRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`${where}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkRecord(value, where);
}

/** Checks a value against the record schema of its kind; the error names `where` and the field. */
export function checkRecord(value: unknown, where: string): MetricsRecord {
  const schema = (value as { kind?: unknown } | null)?.kind === 'eval' ? EvalRecordSchema : EpochRecordSchema;
  const problem = Value.Errors(schema, value).First();
  if (problem !== undefined) {
    const field = problem.path === '' ? 'record' : `field '${problem.path.slice(1).replaceAll('/', '.')}'`;
    throw new Error(`${where}: ${field}: ${problem.message}`);
  }
  return value as MetricsRecord;
}

/**
 * The scalars of a record as TensorBoard/tracker tags `group/name` (a tracker that wants a metric
 * and a variant splits at the last `/`).
 */
export function scalarsOf(record: MetricsRecord): Record<string, number> {
  if (record.kind === 'epoch') {
    return withoutUndefined({
      'loss/train': record.trainLoss,
      'loss/val': record.valLoss,
      'f2/val': record.valF2,
      'f2/val_last_step': record.valF2Raw,
      'train/lr': record.lr,
      'train/images_per_second': record.imagesPerSecond,
      'train/epoch_seconds': record.seconds,
    });
  }
  const split = record.split;
  const perClass = Object.entries(record.perClass).map(([label, scores]) => [`class_f2_${split}/${label}`, scores.f2] as const);
  const thresholds = Object.entries(record.thresholds).map(([label, threshold]) => [`threshold_${split}/${label}`, threshold] as const);
  return withoutUndefined({
    [`eval_${split}/f2`]: record.f2,
    [`eval_${split}/f2_fixed_threshold`]: record.f2AtFixedThreshold,
    [`eval_${split}/loss`]: record.loss,
    ...Object.fromEntries(perClass),
    ...Object.fromEntries(thresholds),
  });
}

function withoutUndefined(values: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out;
}
