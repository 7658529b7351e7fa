import { resolve } from 'node:path';
import { BundleModel, evaluateBundle } from '../inference/index.js';
import { classTable } from './class-table.js';
import { fixed, parseCommandArgs, requireNamed, runCommand } from './run-command.js';

const USAGE = 'npm run evaluate -- model=BUNDLE_DIR data=DATA_DIR [onInvalid=fail|skip] [cacheDir=.cache/chips]';

/**
 * `npm run evaluate -- model=DIR data=DIR`: the bundle's mean per-image F2 on any folder in the
 * Kaggle layout (labels CSV + JPEGs or a tar of them). The last line is `F2 0.xxxx`.
 */
async function main(argv: readonly string[]): Promise<void> {
  const { named } = parseCommandArgs(argv, ['model', 'data', 'onInvalid', 'cacheDir'], USAGE);
  const modelDir = resolve(requireNamed(named, 'model', USAGE));
  const dataDir = resolve(requireNamed(named, 'data', USAGE));
  const onInvalid = named.onInvalid === 'skip' ? 'skip' : 'fail';
  const model = await BundleModel.load(modelDir);
  try {
    const result = await evaluateBundle(model, dataDir, { onInvalid, cacheDir: named.cacheDir ?? '.cache/chips' });
    console.log(`model ${model.card.name} ${model.card.version} on ${dataDir}: ${result.atCardThresholds.images} images`);
    console.log(classTable(result.atCardThresholds.perClass, model.card.thresholds));
    console.log(`F2 at ${result.fixedThreshold} for every tag: ${fixed(result.atFixedThreshold.f2)}`);
    console.log(`F2 ${fixed(result.atCardThresholds.f2)}`);
  } finally {
    await model.close();
  }
}

runCommand(main, USAGE);
