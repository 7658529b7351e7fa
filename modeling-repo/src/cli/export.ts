import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadSavedConfig, parseArgs } from '../config/index.js';
import { reexportRun } from '../pipeline/index.js';
import { CONFIG_FILE } from '../records/index.js';
import { classTable } from './class-table.js';
import { fixed, requireNamed, runCommand } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run export -- run=RUN_DIR [checkpoint=best|last] [key=value ...]',
  'Exports the best checkpoint of a finished run again, with its saved configuration and these overrides,',
  'e.g. export.tta=true export.name=bundle-tta. The bundle goes to RUN_DIR/<export.name>; it is published',
  'only with export.publishDir=DIR. checkpoint=last exports the last epoch\'s parameters instead of the best epoch\'s.',
].join('\n');

/**
 * `npm run export -- run=RUN_DIR export.tta=true`: the same trained parameters, exported under
 * other export settings and measured on the run's own validation split.
 */
async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  checkNamed(args.named, ['run', 'checkpoint']);
  const choice = args.named.checkpoint ?? 'best';
  if (choice !== 'best' && choice !== 'last') throw new Error(`checkpoint=${choice}: expected best or last\nusage: ${USAGE}`);
  if (args.exp !== undefined || args.positional.length > 0) throw new Error(`unexpected argument\nusage: ${USAGE}`);
  const runDir = resolve(requireNamed(args.named, 'run', USAGE));
  // A saved configuration names the folders of the machine it ran on: publish nowhere and read
  // chips from this checkout's cache unless told otherwise.
  const defaults = ['export.publishDir=', `data.cacheDir=${join(PACKAGE_ROOT, '.cache', 'chips')}`];
  const file = join(runDir, CONFIG_FILE);
  const saved = await loadSavedConfig(file, defaults);
  // Runs saved before export.tta existed lack the key: setting it there means adding it.
  const overrides = saved.config.export.tta === undefined ? args.overrides.map((o) => (o.startsWith('export.tta=') ? `+${o}` : o)) : args.overrides;
  const { config } = await loadSavedConfig(file, [...defaults, ...overrides]);
  const result = await reexportRun(runDir, config, (line) => { console.log(line); }, choice);
  console.log(classTable(result.atTuned.perClass, result.card.thresholds));
  console.log(`bundle: ${result.dir}`);
  console.log(`inference: ${fixed(result.msPerBatch.shipped, 1)} ms per batch of ${result.timingBatch} chips` +
    (config.export.tta === true ? ` with test-time augmentation, ${fixed(result.msPerBatch.plain, 1)} ms without` : ''));
  console.log(`validation F2 ${fixed(result.tuned.f2After)} (at ${config.eval.thresholdStart}: ${fixed(result.tuned.f2Before)})`);
}

runCommand(main, USAGE);
