import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadConfig, parseArgs } from '../config/index.js';
import { loadMembers, mergeBundles } from '../ensemble/index.js';
import { prepareData } from '../pipeline/index.js';
import { classTable } from './class-table.js';
import { fixed, requireNamed, runCommand } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run merge -- exp=NAME out=DIR BUNDLE_DIR BUNDLE_DIR... [key=value ...]',
  'Averages the bundles\' models inside one model.onnx and tunes its thresholds on the validation split of',
  'experiment NAME (its data, seed and data.valFraction), which must be the split every member was validated on.',
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
  console.log(classTable(result.atTuned.perClass, result.card.thresholds));
  members.forEach((member, i) => { console.log(`member ${i + 1}: ${member.dir}: validation F2 ${fixed(result.memberF2[i] ?? 0)} at its own thresholds`); });
  console.log(`bundle: ${outDir}`);
  console.log(`validation F2 ${fixed(result.tuned.f2After)} (at ${config.eval.thresholdStart}: ${fixed(result.tuned.f2Before)})`);
}

runCommand(main, USAGE);
