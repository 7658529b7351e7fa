import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadConfig, parseArgs } from '../config/index.js';
import { loadMembers, mergeBundles } from '../ensemble/index.js';
import { prepareData } from '../pipeline/index.js';
import { printMerge } from './merge-report.js';
import { requireNamed, runCommand } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run merge -- exp=NAME out=DIR BUNDLE_DIR BUNDLE_DIR... [key=value ...]',
  'Averages the bundles\' models inside one model.onnx and tunes its thresholds on the validation split of',
  'experiment NAME (its data, seed and data.valFraction), which must be the split every member was validated on.',
  'When the bundles are the K folds of one K-fold split (trained with data.folds.count=K data.folds.index=0..K-1),',
  'the thresholds are tuned on their out-of-fold predictions of every training chip instead.',
].join('\n');

/** `npm run merge -- exp=baseline out=runs/ensemble runs/a/bundle runs/b/bundle`: one bundle from several. */
async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  checkNamed(args.named, ['out']);
  if (args.exp === undefined) throw new Error(`missing exp=...\nusage: ${USAGE}`);
  const outDir = resolve(requireNamed(args.named, 'out', USAGE));
  const members = await loadMembers(args.positional.map((dir) => resolve(dir)));
  const { config } = await loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: args.exp, overrides: args.overrides });
  const log = (line: string): void => { console.log(line); };
  const data = await prepareData(config, log);
  const result = await mergeBundles(config, data, members, outDir, log);
  printMerge(result, members.map((member) => member.dir), config, outDir);
}

runCommand(main, USAGE);
