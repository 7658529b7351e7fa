/**
 * Writes the tiny test bundle (random weights, real generated images, golden probabilities) to a
 * folder, for running the service without a trained model: `npm run tiny-bundle -- models/tiny`.
 */
import { resolve } from 'node:path';
import { exitWithUsage, wantsHelp } from '../src/config/index.js';
import { writeTinyBundle } from '../test/helpers/tiny-bundle.js';

const USAGE = `usage: npm run tiny-bundle -- [DIR] [SIZE]

Writes the tiny test bundle (random weights, for trying the API only) to DIR (default models/tiny)
with input size SIZE (an even number 2..1024, default 16). Then: MODEL_DIR=DIR npm start`;

const args = process.argv.slice(2).filter((arg) => arg !== '--');
if (wantsHelp(args)) exitWithUsage(USAGE);
if (args.length > 2) exitWithUsage(USAGE, `too many arguments: ${args.join(' ')}`);
if (args[0]?.startsWith('-') === true) exitWithUsage(USAGE, `unknown option '${args[0]}'`);
const dir = resolve(args[0] ?? 'models/tiny');
const size = Number(args[1] ?? '16');
// The chain halves the size first (size / 2, then size): it must be even.
if (!Number.isInteger(size) || size < 2 || size > 1024 || size % 2 !== 0) exitWithUsage(USAGE, `SIZE must be an even number 2..1024, got '${args[1] ?? ''}'`);
const bundle = await writeTinyBundle(dir, { size });
console.log(`wrote ${bundle.dir}: ${bundle.card.name} ${bundle.card.version}, S=${size}, ${bundle.golden.length} golden samples`);
