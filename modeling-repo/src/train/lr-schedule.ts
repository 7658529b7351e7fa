/**
 * The learning rate of each optimizer step: linear warmup to the peak, then a half cosine down
 * to `peak * minLrFraction` at the last step. Computed here and fed to the training graph as an
 * input, so the graph stays the same for every step and a resumed run continues the same curve.
 */

export interface LrScheduleConfig {
  /** Peak learning rate. */
  readonly lr: number;
  /** Warmup length in steps; when 0, `warmupFraction` of `totalSteps` is used. */
  readonly warmupSteps: number;
  readonly warmupFraction: number;
  readonly minLrFraction: number;
  /** All optimizer steps of the run (epochs times steps per epoch). */
  readonly totalSteps: number;
}

/** Warmup length in whole steps, never longer than the run. */
export function warmupLength(config: LrScheduleConfig): number {
  const steps = config.warmupSteps > 0 ? config.warmupSteps : Math.round(config.warmupFraction * config.totalSteps);
  return Math.min(steps, config.totalSteps);
}

/**
 * Learning rate of step `step` (0-based). Warmup ramps from peak / warmup at step 0 to the peak
 * at its last step, so that no step has a zero rate; the cosine starts at the peak on the first
 * step after warmup and reaches the floor on step totalSteps - 1.
 */
export function learningRate(step: number, config: LrScheduleConfig): number {
  if (!Number.isInteger(step) || step < 0) {
    throw new Error(`learningRate: step must be a non-negative integer, got ${step}`);
  }
  const peak = config.lr;
  const floor = peak * config.minLrFraction;
  const warmup = warmupLength(config);
  if (step < warmup) {
    return (peak * (step + 1)) / warmup;
  }
  const decaySteps = config.totalSteps - warmup - 1;
  if (decaySteps <= 0) {
    return peak;
  }
  const progress = Math.min((step - warmup) / decaySteps, 1);
  return floor + ((peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
