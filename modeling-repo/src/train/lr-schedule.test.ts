import { describe, expect, it } from '@jest/globals';
import { learningRate, warmupLength, type LrScheduleConfig } from './lr-schedule.js';

const base: LrScheduleConfig = { lr: 1e-3, warmupSteps: 10, warmupFraction: 0, minLrFraction: 0.01, totalSteps: 110 };

describe('learningRate', () => {
  it('warms up linearly to the peak without a zero step', () => {
    expect(learningRate(0, base)).toBeCloseTo(1e-4, 12);
    expect(learningRate(4, base)).toBeCloseTo(5e-4, 12);
    expect(learningRate(9, base)).toBeCloseTo(1e-3, 12);
  });

  it('follows a half cosine from the peak to the floor at the last step', () => {
    expect(learningRate(10, base)).toBeCloseTo(1e-3, 12);
    // Halfway through the 99 decay steps the cosine is at the midpoint of peak and floor.
    const mid = 10 + 99 / 2;
    const cfg = { ...base };
    const midLr = 1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * ((Math.floor(mid) - 10) / 99)));
    expect(learningRate(Math.floor(mid), cfg)).toBeCloseTo(midLr, 12);
    expect(learningRate(109, base)).toBeCloseTo(1e-5, 12);
    // Past the end it stays at the floor rather than coming back up.
    expect(learningRate(500, base)).toBeCloseTo(1e-5, 12);
  });

  it('decreases monotonically after warmup', () => {
    for (let s = 10; s < 109; s++) {
      expect(learningRate(s + 1, base)).toBeLessThan(learningRate(s, base));
    }
  });

  it('uses warmupFraction when warmupSteps is 0, and caps warmup at the run length', () => {
    expect(warmupLength({ ...base, warmupSteps: 0, warmupFraction: 0.05, totalSteps: 200 })).toBe(10);
    expect(warmupLength({ ...base, warmupSteps: 50, totalSteps: 20 })).toBe(20);
    expect(learningRate(0, { ...base, warmupSteps: 0, warmupFraction: 0 })).toBeCloseTo(1e-3, 12);
  });

  it('rejects a fractional or negative step', () => {
    expect(() => learningRate(-1, base)).toThrow('non-negative integer');
    expect(() => learningRate(1.5, base)).toThrow('non-negative integer');
  });
});
