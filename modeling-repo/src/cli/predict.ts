import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { BundleModel } from '../inference/index.js';
import { fixed, parseCommandArgs, requireNamed, runCommand } from './run-command.js';

const USAGE = 'npm run predict -- model=BUNDLE_DIR FILE... [json=true]';

/** `npm run predict -- model=DIR a.jpg b.jpg`: tags and probabilities per image, with the card's thresholds. */
async function main(argv: readonly string[]): Promise<void> {
  const { named, positional } = parseCommandArgs(argv, ['model', 'json'], USAGE);
  const model = await BundleModel.load(resolve(requireNamed(named, 'model', USAGE)));
  if (positional.length === 0) throw new Error(`no image files given\nusage: ${USAGE}`);
  try {
    const chips = await Promise.all(positional.map(async (file) => model.decode(new Uint8Array(await readFile(file)), file)));
    const batch = new Uint8Array(chips.reduce((sum, chip) => sum + chip.length, 0));
    chips.forEach((chip, index) => { batch.set(chip, index * chip.length); });
    const probabilities = await model.predict(batch, chips.length);
    const thresholds = model.thresholds();
    const labels = model.card.labels;
    const results = positional.map((file, index) => {
      const row = probabilities.subarray(index * labels.length, (index + 1) * labels.length);
      return {
        name: basename(file),
        labels: labels.filter((_, c) => (row[c] ?? 0) >= (thresholds[c] ?? 1)),
        probabilities: Object.fromEntries(labels.map((label, c) => [label, Number(fixed(row[c] ?? 0))])),
      };
    });
    if (named.json === 'true') {
      console.log(JSON.stringify({ model: { name: model.card.name, version: model.card.version }, predictions: results }, null, 2));
      return;
    }
    for (const result of results) console.log(`${result.name}: ${result.labels.join(' ') || '(no tag)'}`);
  } finally {
    await model.close();
  }
}

runCommand(main, USAGE);
