import { describe, expect, it } from '@jest/globals';

import { binarize, evaluateProbabilities, fbetaFromCounts, meanF2, perClassMetrics, sampleF2 } from './f2.js';

// Hand-computed with F2 = 5 tp / (4 |true| + |pred|), 0 when both sets are empty
// (scikit-learn's fbeta_score(beta=2, average='samples', zero_division=0)).
describe('sampleF2 and meanF2', () => {
  const classes = 4;
  const truth = [
    1, 1, 0, 0, // perfect: 1
    1, 1, 0, 0, // one of two found, no false positives: 5*1/(8+1) = 5/9
    1, 0, 0, 0, // found plus one false positive: 5/(4+2) = 5/6
    0, 0, 0, 0, // nothing true, nothing predicted: zero_division -> 0
    0, 0, 0, 0, // nothing true, something predicted: 0
    1, 1, 1, 0, // nothing predicted: 0
    1, 0, 1, 1, // tp 2, |true| 3, |pred| 3: 10/15
  ];
  const predicted = [
    1, 1, 0, 0,
    1, 0, 0, 0,
    1, 1, 0, 0,
    0, 0, 0, 0,
    0, 1, 0, 0,
    0, 0, 0, 0,
    1, 1, 1, 0,
  ];
  const expected = [1, 5 / 9, 5 / 6, 0, 0, 0, 10 / 15];

  it('scores each image as scikit-learn does', () => {
    const scores = sampleF2(truth, predicted, classes);
    expected.forEach((value, i) => { expect(scores[i]).toBeCloseTo(value, 12); });
  });

  it('averages over images', () => {
    expect(meanF2(truth, predicted, classes)).toBeCloseTo(expected.reduce((a, b) => a + b) / expected.length, 12);
    expect(meanF2([], [], classes)).toBe(0);
  });

  it('rejects mismatched shapes', () => {
    expect(() => meanF2([1, 0, 1], [1, 0], 3)).toThrow(/must both be \[N, 3\]/);
    expect(() => meanF2([1, 0, 1], [1, 0, 1], 2)).toThrow(/must both be \[N, 2\]/);
  });

  it('matches F2 from precision and recall when both are defined', () => {
    const p = 2 / 3;
    const r = 2 / 5;
    expect(fbetaFromCounts(2, 5, 3)).toBeCloseTo((5 * p * r) / (4 * p + r), 12);
  });
});

describe('binarize', () => {
  it('predicts a tag when its probability is at least its threshold', () => {
    expect(Array.from(binarize([0.2, 0.19999, 0.5, 0.5], [0.2, 0.2], 2))).toEqual([1, 0, 1, 1]);
    expect(Array.from(binarize([0.3, 0.1], 0.3, 2))).toEqual([1, 0]);
  });
});

describe('perClassMetrics', () => {
  it('computes precision, recall and F2 per column, 0 when undefined', () => {
    const truth = [1, 0, 0, 1, 0, 0, 1, 1, 0];
    const predicted = [1, 0, 0, 0, 1, 0, 1, 1, 0];
    const [a, b, c] = perClassMetrics(truth, predicted, 3);
    // class a: tp 2, support 3, predicted 2 -> P 1, R 2/3, F2 10/(12+2).
    expect(a).toEqual({ precision: 1, recall: 2 / 3, f2: 10 / 14, support: 3, predicted: 2 });
    // class b: tp 1, support 1, predicted 2 -> P 0.5, R 1, F2 5/(4+2).
    expect(b).toEqual({ precision: 0.5, recall: 1, f2: 5 / 6, support: 1, predicted: 2 });
    // class c: never true, never predicted.
    expect(c).toEqual({ precision: 0, recall: 0, f2: 0, support: 0, predicted: 0 });
  });
});

describe('evaluateProbabilities', () => {
  it('thresholds, then reports the mean F2 and per-class figures by label', () => {
    const report = evaluateProbabilities([0.9, 0.1, 0.4, 0.6], [1, 0, 1, 1], [0.5, 0.5], ['x', 'y']);
    // Image 0 perfect; image 1 finds one of its two tags: 5 / 9.
    expect(report.f2).toBeCloseTo((1 + 5 / 9) / 2, 12);
    expect(report.images).toBe(2);
    expect(report.perClass.x).toEqual({ precision: 1, recall: 0.5, f2: 5 / 9, support: 2, predicted: 1 });
    expect(report.perClass.y?.recall).toBe(1);
    expect(report.perClass.y?.precision).toBe(1);
  });
});
