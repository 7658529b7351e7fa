import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadConfig, loadSavedConfig, parseArgs, type LoadedConfig } from '../config/index.js';
import { trainRun } from '../pipeline/index.js';
import { CONFIG_FILE } from '../records/index.js';
import { clearmlTrackerFromEnv } from '../tracking/index.js';
import { classTable } from './class-table.js';
import { runCommand, stopOnInterrupt } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run train -- exp=NAME [key=value ...]   (experiments: configs/exp/*.yaml, e.g. exp=smoke, exp=baseline)',
  '       npm run train -- resume=RUN_DIR            (continue a run with the configuration saved in it)',
  'key=value overrides any configuration key (train.epochs=3, export.publishDir=); +key=value adds, ~key removes.',
].join('\n');

/** A resumed run reuses the configuration saved in its folder; new overrides would make it another run. */
async function configFor(argv: readonly string[]): Promise<{ loaded: LoadedConfig; resumeDir?: string }> {
  const args = parseArgs(argv);
  checkNamed(args.named, ['resume']);
  // A plain word (`smoke` for `exp=smoke`) would otherwise be ignored and the default run start.
  if (args.positional.length > 0) throw new Error(`unexpected argument '${args.positional[0] ?? ''}'\nusage: ${USAGE}`);
  const resume = args.named.resume;
  if (resume === undefined) {
    return { loaded: await loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: args.exp, overrides: args.overrides }) };
  }
  if (args.exp !== undefined || args.overrides.length > 0) {
    throw new Error(`resume=${resume} continues a run with the configuration saved in it; drop exp= and key=value arguments`);
  }
  const resumeDir = resolve(resume);
  return { loaded: await loadSavedConfig(join(resumeDir, CONFIG_FILE)), resumeDir };
}

/** `npm run train -- exp=NAME [key=value ...]` or `npm run train -- resume=RUN_DIR`. */
async function main(argv: readonly string[]): Promise<void> {
  const { loaded, resumeDir } = await configFor(argv);
  const { config } = loaded;
  const clearml = clearmlTrackerFromEnv(config.tracking);
  const signal = stopOnInterrupt();
  const result = await trainRun({
    config, sources: loaded.sources, ...(resumeDir === undefined ? {} : { resumeDir }),
    extraTrackers: clearml === undefined ? [] : [clearml], signal,
  });
  console.log(classTable(result.card.metrics.perClass, result.card.thresholds));
  console.log(`report: ${join(result.runDir, 'report.html')}`);
  console.log(`bundle: ${result.bundleDir}`);
  console.log(`validation F2 ${result.card.metrics.f2.toFixed(4)} (at 0.2: ${result.card.metrics.f2AtThreshold0_2.toFixed(4)}), ${result.card.training.seconds} s`);
}

runCommand(main, USAGE);
