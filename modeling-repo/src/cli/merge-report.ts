import type { Config } from '../config/index.js';
import type { MergeResult } from '../ensemble/index.js';
import { classTable } from './class-table.js';
import { fixed } from './run-command.js';

/** What `merge` and `kfold` print about a merged bundle: the class table, each member, the F2 lines. */
export function printMerge(result: MergeResult, memberDirs: readonly string[], config: Config, outDir: string): void {
  console.log(classTable(result.atThresholds.perClass, result.card.thresholds));
  memberDirs.forEach((dir, i) => { console.log(`member ${i + 1}: ${dir}: validation F2 ${fixed(result.memberF2[i] ?? 0)} at its own thresholds`); });
  console.log(`bundle: ${outDir}`);
  const { validationTuned, outOfFold } = result;
  const start = config.eval.thresholdStart;
  if (outOfFold === undefined) {
    console.log(`validation F2 ${fixed(validationTuned.f2After)} (at ${start}: ${fixed(validationTuned.f2Before)})`);
    return;
  }
  console.log(`out of fold: ${outOfFold.images} training chips, F2 ${fixed(outOfFold.tuned.f2After)} tuned there (at ${start}: ${fixed(outOfFold.tuned.f2Before)})`);
  console.log(`validation F2 ${fixed(result.atThresholds.f2)} at the out-of-fold thresholds (the card's); ` +
    `${fixed(validationTuned.f2After)} tuned on validation, ${fixed(validationTuned.f2Before)} at ${start}`);
}
