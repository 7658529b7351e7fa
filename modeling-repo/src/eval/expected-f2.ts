import { LABELS } from '../data/index.js';
import { BETA2 } from '../metric/index.js';

/**
 * A per-image decision rule: predict the tag set with the largest expected F2 under the model's
 * probabilities, instead of comparing each probability with its class threshold.
 *
 * The tags are taken as independent Bernoulli variables with the predicted probabilities, except
 * (with `weatherExclusive`) the four weather tags: every chip has exactly one of them, so they
 * are one categorical variable whose distribution is their probabilities normalised to sum 1.
 * For a fixed number of predicted tags the best set is the most probable ones (Lewis, 1995), so
 * only the "top j of the other tags, top k of the weather tags" sets are scored: at most
 * 14 x 5 per image, each scored exactly from the Poisson-binomial distributions of the true
 * counts inside and outside the set. No parameter is fitted, so it needs no validation data.
 */

export const WEATHER_TAGS = ['clear', 'cloudy', 'haze', 'partly_cloudy'] as const;

export interface ExpectedF2Options {
  /** Exactly one weather tag per chip (the competition's labelling rule). */
  readonly weatherExclusive: boolean;
  readonly labels?: readonly string[];
}

/** Distribution of the number of successes among independent Bernoulli trials: dist[c] = P(count = c). */
export function poissonBinomial(probabilities: readonly number[]): Float64Array {
  const dist = new Float64Array(probabilities.length + 1);
  dist[0] = 1;
  probabilities.forEach((p, n) => {
    for (let c = n + 1; c >= 1; c--) dist[c] = (dist[c] ?? 0) * (1 - p) + (dist[c - 1] ?? 0) * p;
    dist[0] = (dist[0] ?? 0) * (1 - p);
  });
  return dist;
}

/** F2 from the number of true tags inside (a) and outside (b) the predicted set, and its size. */
function f2Of(hits: number, trueCount: number, predicted: number): number {
  const denominator = BETA2 * trueCount + predicted;
  return denominator === 0 ? 0 : ((1 + BETA2) * hits) / denominator;
}

interface Scored {
  readonly score: number;
  readonly others: number;
  readonly weather: number;
}

/**
 * Expected F2 of predicting the top `inside.length - 1` others and `weather` weather tags that
 * hold the true weather tag with probability `weatherHit` (`weatherTrue` true weather tags: 1, or 0
 * when the weather tags are modelled like the others).
 */
function expectedScore(inside: Float64Array, outside: Float64Array, weather: { count: number; hit: number; trueTags: number }): number {
  const predicted = inside.length - 1 + weather.count;
  let total = 0;
  inside.forEach((pa, a) => {
    if (pa === 0) return;
    outside.forEach((pb, b) => {
      if (pb === 0) return;
      const trueCount = a + b + weather.trueTags;
      const withHit = weather.hit > 0 ? weather.hit * f2Of(a + 1, trueCount, predicted) : 0;
      total += pa * pb * (withHit + (1 - weather.hit) * f2Of(a, trueCount, predicted));
    });
  });
  return total;
}

function descending(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((x, y) => (values[y] ?? 0) - (values[x] ?? 0));
}

/** The best (top j others, top k weather) set of one image. */
function bestSet(others: readonly number[], weather: readonly number[], exclusive: boolean): Scored {
  const sortedOthers = descending(others).map((i) => others[i] ?? 0);
  const weatherTotal = weather.reduce((s, p) => s + p, 0);
  const shares = weather.map((p) => (weatherTotal > 0 ? p / weatherTotal : 1 / weather.length)).sort((x, y) => y - x);
  let best: Scored = { score: -1, others: 0, weather: 0 };
  for (let j = 0; j <= sortedOthers.length; j++) {
    const inside = poissonBinomial(sortedOthers.slice(0, j));
    const outside = poissonBinomial(sortedOthers.slice(j));
    const weatherChoices = exclusive ? weather.length : 0;
    for (let k = 0; k <= weatherChoices; k++) {
      const hit = shares.slice(0, k).reduce((s, q) => s + q, 0);
      const score = expectedScore(inside, outside, { count: k, hit, trueTags: exclusive ? 1 : 0 });
      if (score > best.score) best = { score, others: j, weather: k };
    }
  }
  return best;
}

/** 0/1 decisions [N, classes] of the expected-F2 rule for probabilities [N, classes]. */
export function expectedF2Decisions(probabilities: ArrayLike<number>, options: ExpectedF2Options): Uint8Array {
  const labels = options.labels ?? LABELS;
  const classes = labels.length;
  const weatherSet = new Set<string>(options.weatherExclusive ? WEATHER_TAGS : []);
  const weatherIdx = labels.flatMap((l, c) => (weatherSet.has(l) ? [c] : []));
  const otherIdx = labels.flatMap((l, c) => (weatherSet.has(l) ? [] : [c]));
  const out = new Uint8Array(probabilities.length);
  for (let r = 0; r * classes < probabilities.length; r++) {
    const p = (c: number): number => probabilities[r * classes + c] ?? 0;
    const best = bestSet(otherIdx.map(p), weatherIdx.map(p), options.weatherExclusive);
    for (const c of descending(otherIdx.map(p)).slice(0, best.others)) out[r * classes + (otherIdx[c] ?? 0)] = 1;
    for (const c of descending(weatherIdx.map(p)).slice(0, best.weather)) out[r * classes + (weatherIdx[c] ?? 0)] = 1;
  }
  return out;
}
