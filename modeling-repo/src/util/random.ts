/**
 * Small seeded pseudo-random generators. Everything random in the pipeline (splits, shuffles,
 * augmentation, synthetic data) draws from these so that the same seed gives the same numbers on
 * every machine: `Math.random` is never used.
 */

const UINT32 = 0x1_0000_0000;
const GOLDEN_GAMMA = 0x9e3779b9;
const MIX_A = 0x85ebca6b;
const MIX_B = 0xc2b2ae35;
const SHIFT_A = 16;
const SHIFT_B = 13;
const MULBERRY_A = 0x6d2b79f5;
const MULBERRY_SHIFT_A = 15;
const MULBERRY_SHIFT_B = 7;
const MULBERRY_SHIFT_C = 14;
const MULBERRY_OR = 61;

/** A generator of uniform numbers in [0, 1) and the helpers built on it. */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next: () => number;
  /** Uniform integer in [0, n). */
  int: (n: number) => number;
}

/** MurmurHash3's 32-bit finaliser: spreads a seed so that nearby seeds give unrelated streams. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> SHIFT_A), MIX_A);
  h = Math.imul(h ^ (h >>> SHIFT_B), MIX_B);
  return (h ^ (h >>> SHIFT_A)) >>> 0;
}

/**
 * Derives one 32-bit seed from a base seed and a path of integers (e.g. seed, epoch, purpose),
 * so that every use gets its own independent, reproducible stream.
 */
export function deriveSeed(seed: number, ...parts: readonly number[]): number {
  let h = fmix32(seed + GOLDEN_GAMMA);
  for (const part of parts) h = fmix32((h ^ fmix32(part + GOLDEN_GAMMA)) + GOLDEN_GAMMA);
  return h;
}

/** mulberry32: a tiny, fast 32-bit generator, good enough for shuffles and augmentation. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + MULBERRY_A) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> MULBERRY_SHIFT_A), t | 1);
    t ^= t + Math.imul(t ^ (t >>> MULBERRY_SHIFT_B), t | MULBERRY_OR);
    return ((t ^ (t >>> MULBERRY_SHIFT_C)) >>> 0) / UINT32;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int };
}

/** Fisher-Yates shuffle in place, driven by `rng`. */
export function shuffleInPlace<T extends { [index: number]: unknown; length: number }>(items: T, rng: Rng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** The permutation 0..n-1 shuffled by `rng`, as a typed array (cheap for tens of thousands). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, rng);
}
