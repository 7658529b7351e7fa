import { describe, expect, it } from '@jest/globals';
import { effectiveDecay, updateAverage } from './weight-average.js';

describe('weight average', () => {
  it('ramps the decay up over the first steps, then holds the configured one', () => {
    expect(effectiveDecay(0.999, 1)).toBeCloseTo(2 / 11, 12);
    expect(effectiveDecay(0.999, 90)).toBeCloseTo(91 / 100, 12);
    expect(effectiveDecay(0.999, 100_000)).toBe(0.999);
    expect(effectiveDecay(0, 5)).toBe(0);
  });

  it('moves each value by (1 - d) of its distance to the parameters, in place', () => {
    const average = Float32Array.from([0, 10, -2]);
    const params = Float32Array.from([1, 0, -2]);
    updateAverage(average, params, 0.5, 1_000);
    expect(Array.from(average)).toEqual([0.5, 5, -2]);
    updateAverage(average, params, 0.5, 1_001);
    expect(Array.from(average)).toEqual([0.75, 2.5, -2]);
  });

  it('is the parameters themselves with a decay of 0', () => {
    const average = Float32Array.from([3, 4]);
    updateAverage(average, Float32Array.from([-1, 7]), 0, 1);
    expect(Array.from(average)).toEqual([-1, 7]);
  });

  it('refuses parameters of another length', () => {
    expect(() => { updateAverage(new Float32Array(3), new Float32Array(2), 0.9, 1); }).toThrow(/holds 3 values but the parameters are 2/);
  });
});
