import { fixed } from './run-command.js';

/** What the table shows of a class; the support column is blank when it is not known. */
interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f2: number;
  readonly support?: number;
}

const NAME_WIDTH = 18;
const COLUMN_WIDTH = 9;

/** A per-class table (precision, recall, F2, and the threshold when given) for the terminal. */
export function classTable(
  perClass: Readonly<Record<string, ClassScores>>, thresholds?: Readonly<Record<string, number>>,
): string {
  const header = ['tag'.padEnd(NAME_WIDTH), ...['precision', 'recall', 'f2', 'support', 'threshold'].map((h) => h.padStart(COLUMN_WIDTH))];
  const rows = Object.entries(perClass).map(([label, m]) => [
    label.padEnd(NAME_WIDTH),
    fixed(m.precision).padStart(COLUMN_WIDTH),
    fixed(m.recall).padStart(COLUMN_WIDTH),
    fixed(m.f2).padStart(COLUMN_WIDTH),
    (m.support === undefined ? '' : String(m.support)).padStart(COLUMN_WIDTH),
    (thresholds?.[label] === undefined ? '' : fixed(thresholds[label], 2)).padStart(COLUMN_WIDTH),
  ]);
  return [header, ...rows].map((cells) => cells.join(' ')).join('\n');
}
