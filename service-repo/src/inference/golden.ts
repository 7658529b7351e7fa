/**
 * The golden check: every sample in golden.json, decoded, resized and run through the model, must give
 * the probabilities the modeling pipeline computed, within the contract's tolerance.
 */
import { GOLDEN_TOLERANCE } from '../contract/index.js';
import type { GoldenSample } from '../schemas/index.js';

export interface GoldenReport {
  readonly samples: number;
  readonly maxAbsDiff: number;
  /** One line per sample whose worst probability is off by more than the tolerance. */
  readonly failures: readonly string[];
}

/** Compares computed probabilities (one vector per sample, same order) with the golden ones. */
export function compareGolden(golden: readonly GoldenSample[], computed: readonly ArrayLike<number>[], labels: readonly string[]): GoldenReport {
  let maxAbsDiff = 0;
  const failures: string[] = [];
  golden.forEach((sample, i) => {
    const got = computed[i];
    if (got?.length !== sample.probabilities.length) {
      failures.push(`${sample.name}: got ${got?.length ?? 0} probabilities, expected ${sample.probabilities.length}`);
      return;
    }
    let worst = 0;
    let worstAt = 0;
    sample.probabilities.forEach((want, j) => {
      const diff = Math.abs((got[j] ?? Number.NaN) - want);
      if (!(diff <= worst)) { worst = diff; worstAt = j; }
    });
    maxAbsDiff = Math.max(maxAbsDiff, worst);
    if (!(worst <= GOLDEN_TOLERANCE)) {
      failures.push(`${sample.name}: ${labels[worstAt] ?? worstAt} is ${got[worstAt]}, golden ${sample.probabilities[worstAt]} (off by ${worst.toExponential(2)})`);
    }
  });
  return { samples: golden.length, maxAbsDiff, failures };
}
