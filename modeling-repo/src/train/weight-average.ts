/**
 * An exponential moving average of the parameters over the training steps (train.emaDecay): the
 * weights that get validated, kept as the best and exported in place of the last step's when it
 * is on. Averaging smooths the last steps' noise; the average costs one pass over the parameters
 * a step on the host (about 4 ms for MobileNetV2's 2.2M, 3-4 % of a 64 px step on 2 cores).
 */

/** Steps over which the effective decay ramps up, so the initial weights fade out within the first epoch. */
const RAMP_OFFSET = 10;

/**
 * The decay used at `step` (counting from 1): min(decay, (1 + step) / (10 + step)). Without the
 * ramp, a decay of 0.999 would keep a third of the starting weights after 1,000 steps.
 */
export function effectiveDecay(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (RAMP_OFFSET + step));
}

/** Moves `average` towards `params` in place: average += (1 - d) (params - average). */
export function updateAverage(average: Float32Array, params: Float32Array, decay: number, step: number): void {
  if (average.length !== params.length) {
    throw new Error(`weight average holds ${average.length} values but the parameters are ${params.length}`);
  }
  const rate = 1 - effectiveDecay(decay, step);
  for (let i = 0; i < average.length; i++) {
    const a = average[i] ?? 0;
    average[i] = a + rate * ((params[i] ?? 0) - a);
  }
}
