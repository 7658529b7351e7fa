/**
 * Writes the tiny test bundle (random weights, real generated images, golden probabilities) to a
 * folder, for running the service without a trained model: `npm run tiny-bundle -- models/tiny`.
 */
import { resolve } from 'node:path';
import { writeTinyBundle } from '../test/helpers/tiny-bundle.js';

const dir = resolve(process.argv[2] ?? 'models/tiny');
const size = Number(process.argv[3] ?? '16');
const bundle = await writeTinyBundle(dir, { size });
console.log(`wrote ${bundle.dir}: ${bundle.card.name} ${bundle.card.version}, S=${size}, ${bundle.golden.length} golden samples`);
