/** Public surface of the shared utilities: atomic file writes and the seeded random generator. */
export { writeFileAtomic } from './atomic-write.js';
export { createRng, deriveSeed, permutation, type Rng } from './random.js';
