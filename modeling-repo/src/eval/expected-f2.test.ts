import { describe, expect, it } from '@jest/globals';
import { compareRules } from './compare-rules.js';
import { expectedF2Decisions, poissonBinomial } from './expected-f2.js';
import { fbetaFromCounts } from '../metric/index.js';
import { createRng } from '../util/random.js';

const LABELS = ['clear', 'cloudy', 'haze', 'partly_cloudy', 'primary', 'road', 'water'];
const WEATHER = 4;

/** Every 0/1 vector of length n. */
function subsets(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, mask) => Array.from({ length: n }, (_, i) => (mask >> i) & 1));
}

/** Expected F2 of `predicted` by enumerating every possible truth with its probability. */
function bruteExpected(p: readonly number[], predicted: readonly number[], exclusive: boolean): number {
  const weatherTotal = p.slice(0, WEATHER).reduce((s, x) => s + x, 0);
  let total = 0;
  for (const truth of subsets(p.length)) {
    const weatherTrue = truth.slice(0, WEATHER).reduce((s, x) => s + x, 0);
    if (exclusive && weatherTrue !== 1) continue;
    const probability = truth.reduce((prob, t, c) => {
      if (exclusive && c < WEATHER) return t === 1 ? prob * (p[c] ?? 0) / weatherTotal : prob;
      return prob * (t === 1 ? (p[c] ?? 0) : 1 - (p[c] ?? 0));
    }, 1);
    const tp = truth.reduce((s, t, c) => s + t * (predicted[c] ?? 0), 0);
    total += probability * fbetaFromCounts(tp, truth.reduce((s, t) => s + t, 0), predicted.reduce((s, x) => s + x, 0));
  }
  return total;
}

function randomProbabilities(seed: number): number[] {
  const rng = createRng(seed);
  return LABELS.map(() => rng.next());
}

describe('expected-F2 decision rule', () => {
  it('poissonBinomial matches enumeration', () => {
    const p = [0.1, 0.7, 0.4];
    const dist = poissonBinomial(p);
    const brute = new Float64Array(p.length + 1);
    for (const s of subsets(p.length)) {
      const count = s.reduce((a, b) => a + b, 0);
      brute[count] = (brute[count] ?? 0) + s.reduce((prob, t, i) => prob * (t === 1 ? (p[i] ?? 0) : 1 - (p[i] ?? 0)), 1);
    }
    dist.forEach((d, c) => { expect(d).toBeCloseTo(brute[c] ?? 0, 12); });
  });

  it.each([false, true])('picks a set with the largest expected F2 of all 128 sets (weather exclusive: %s)', (exclusive) => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = randomProbabilities(seed);
      const chosen = Array.from(expectedF2Decisions(p, { weatherExclusive: exclusive, labels: LABELS }));
      const best = Math.max(...subsets(LABELS.length).map((s) => bruteExpected(p, s, exclusive)));
      expect(bruteExpected(p, chosen, exclusive)).toBeCloseTo(best, 9);
    }
  });

  it('predicts the sure tags and leaves out the impossible ones', () => {
    const p = [0.99, 0.001, 0.002, 0.003, 0.98, 0.01, 0.6];
    expect(Array.from(expectedF2Decisions(p, { weatherExclusive: true, labels: LABELS }))).toEqual([1, 0, 0, 0, 1, 0, 1]);
  });

  it('compareRules scores each rule on the same chips; tuned thresholds never lose to their starting point in sample', () => {
    const rng = createRng(7);
    const images = 200;
    const targets = Float32Array.from({ length: images * LABELS.length }, () => (rng.next() < 0.3 ? 1 : 0));
    const probabilities = targets.map((t) => Math.min(1, Math.max(0, t * 0.6 + rng.next() * 0.5)));
    const scores = compareRules(probabilities, targets, { passes: 1 }, LABELS);
    expect(scores.map((s) => s.rule)).toHaveLength(5);
    expect(scores[1]?.f2 ?? 0).toBeGreaterThanOrEqual(scores[0]?.f2 ?? 1);
    for (const s of scores) expect(Object.keys(s.perClass)).toEqual(LABELS);
  });
});
