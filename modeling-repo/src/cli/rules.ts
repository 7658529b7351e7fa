import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNamed, loadConfig, parseArgs } from '../config/index.js';
import { compareRules } from '../eval/index.js';
import { readBundle } from '../export/index.js';
import { ModelRunner } from '../inference/index.js';
import { prepareData } from '../pipeline/index.js';
import { fixed, requireNamed, runCommand } from './run-command.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = [
  'npm run rules -- exp=NAME bundle=BUNDLE_DIR [key=value ...]',
  'Scores decision rules (thresholds fixed, tuned, tuned on the other half; expected F2 per image) on the',
  'bundle\'s probabilities for the validation split of experiment NAME.',
].join('\n');
const RARE_TAGS = ['artisinal_mine', 'bare_ground', 'blooming', 'blow_down', 'conventional_mine', 'selective_logging', 'slash_burn'];
const RULE_WIDTH = 66;
const COLUMN = 9;

/** `npm run rules -- exp=baseline bundle=models`: the decision rules side by side. */
async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  checkNamed(args.named, ['bundle']);
  if (args.exp === undefined) throw new Error(`missing exp=...\nusage: ${USAGE}`);
  const { card, modelBytes } = await readBundle(resolve(requireNamed(args.named, 'bundle', USAGE)));
  const { config } = await loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: args.exp, overrides: args.overrides });
  const data = await prepareData(config, (line) => { console.log(line); });
  const runner = await ModelRunner.create(modelBytes, card.input.size);
  let probabilities: Float32Array;
  try {
    probabilities = await runner.predictSet(data.validation);
  } finally {
    await runner.close();
  }
  const scores = compareRules(probabilities, data.validation.targets, { start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes });
  console.log(`${card.name} ${card.version} on ${data.validation.names.length} validation chips (${data.splitDescription})`);
  console.log(['rule'.padEnd(RULE_WIDTH), 'F2'.padStart(COLUMN), ...RARE_TAGS.map((t) => t.slice(0, COLUMN - 1).padStart(COLUMN))].join(' '));
  for (const s of scores) {
    console.log([s.rule.padEnd(RULE_WIDTH), fixed(s.f2).padStart(COLUMN), ...RARE_TAGS.map((t) => fixed(s.perClass[t]?.f2 ?? 0).padStart(COLUMN))].join(' '));
  }
}

runCommand(main, USAGE);
