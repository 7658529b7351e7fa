/** Probabilities -> the answer's tags: a tag is predicted when its probability is at least its threshold. */
import type { Prediction } from '../schemas/index.js';

export function toPrediction(
  name: string,
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  thresholds: Readonly<Record<string, number>>,
  override?: number,
): Prediction {
  const byLabel: Record<string, number> = {};
  const predicted: string[] = [];
  labels.forEach((label, i) => {
    const p = probabilities[i] ?? 0;
    byLabel[label] = p;
    if (p >= (override ?? thresholds[label] ?? 1)) predicted.push(label);
  });
  return { name, labels: predicted, probabilities: byLabel };
}

/** Waits for all, then throws the first failure in request order (so the error names the first bad file). */
export async function allInOrder<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
