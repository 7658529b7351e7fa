import { readFile } from 'node:fs/promises';

/**
 * The 17 competition tags in alphabetical order. This order is the model's output order and the
 * order of `labels` in the model card; never reorder it.
 */
export const LABELS = [
  'agriculture', 'artisinal_mine', 'bare_ground', 'blooming', 'blow_down', 'clear', 'cloudy',
  'conventional_mine', 'cultivation', 'habitation', 'haze', 'partly_cloudy', 'primary', 'road',
  'selective_logging', 'slash_burn', 'water',
] as const;
export type Label = (typeof LABELS)[number];
export const NUM_LABELS: number = LABELS.length;

/** What to do with a bad row or a missing image: stop with an error, or warn and leave it out. */
export type InvalidPolicy = 'fail' | 'skip';

/** One problem found in an input, located well enough to fix it. */
export interface DataIssue {
  /** File (and line, for CSVs) where the problem is, e.g. `train_v2.csv:12`. */
  readonly where: string;
  readonly message: string;
}

/** Raised under the `fail` policy; the message lists the first problems with their locations. */
export class DataError extends Error {
  constructor(message: string, readonly issues: readonly DataIssue[] = []) {
    super(message);
    this.name = 'DataError';
  }
}

/** Parsed labels: image names (CSV order) and their multi-hot rows, `NUM_LABELS` floats each. */
export interface LabelTable {
  readonly names: readonly string[];
  /** Row-major [names.length, NUM_LABELS], 1 where the tag is present. */
  readonly targets: Float32Array;
  /** Rows left out under the `skip` policy (empty under `fail`). */
  readonly skipped: readonly DataIssue[];
}

const LABEL_INDEX: ReadonlyMap<string, number> = new Map(LABELS.map((label, i) => [label, i]));
const HEADER = ['image_name', 'tags'] as const;
/** How many problems an error message or warning spells out before summarising the rest. */
export const ISSUES_SHOWN = 5;

/** Formats issues as `where: message` lines, the first few, then a count of the rest. */
export function describeIssues(issues: readonly DataIssue[], shown = ISSUES_SHOWN): string {
  const lines = issues.slice(0, shown).map((issue) => `  ${issue.where}: ${issue.message}`);
  if (issues.length > shown) lines.push(`  ... and ${issues.length - shown} more`);
  return lines.join('\n');
}

/**
 * Applies the invalid-data policy to a list of problems: throws a `DataError` under `fail`,
 * prints one warning with the count and the first few under `skip`.
 */
export function enforcePolicy(issues: readonly DataIssue[], policy: InvalidPolicy, what: string): void {
  if (issues.length === 0) return;
  const summary = `${issues.length} ${what}:\n${describeIssues(issues)}`;
  if (policy === 'fail') {
    throw new DataError(`${summary}\n(set data.onInvalid=skip to leave them out)`, issues);
  }
  console.warn(`warning: skipping ${summary}`);
}

interface RowResult { readonly name: string; readonly tags: readonly number[] }

/** Parses one data line; returns an error message instead of throwing so all problems get listed. */
function parseRow(line: string, seen: ReadonlySet<string>): RowResult | string {
  const cells = line.split(',');
  if (cells.length !== HEADER.length) {
    return `expected 2 comma-separated columns (image_name,tags), found ${cells.length}`;
  }
  const name = (cells[0] ?? '').trim();
  if (name === '') return 'empty image_name';
  if (seen.has(name)) return `duplicate image_name "${name}"`;
  const words = (cells[1] ?? '').trim().split(/\s+/).filter((word) => word !== '');
  const tags: number[] = [];
  for (const word of words) {
    const index = LABEL_INDEX.get(word);
    if (index === undefined) return `unknown tag "${word}" for image "${name}"`;
    if (!tags.includes(index)) tags.push(index);
  }
  return { name, tags };
}

function checkHeader(line: string | undefined, file: string): void {
  const cells = (line ?? '').replace(/^\uFEFF/, '').split(',').map((cell) => cell.trim());
  if (cells.length !== HEADER.length || cells[0] !== HEADER[0] || cells[1] !== HEADER[1]) {
    throw new DataError(`${file}:1: expected the header "image_name,tags", found "${line ?? ''}"`);
  }
}

/**
 * Parses a labels CSV in the competition's format (header `image_name,tags`, tags separated by
 * spaces). Every data row is checked: column count, empty or duplicate names, unknown tags. Blank
 * lines are ignored. `file` is used only in messages.
 */
export function parseLabels(text: string, file: string, policy: InvalidPolicy): LabelTable {
  const lines = text.split(/\r?\n/);
  checkHeader(lines[0], file);
  const names: string[] = [];
  const rows: (readonly number[])[] = [];
  const issues: DataIssue[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const row = parseRow(line, seen);
    if (typeof row === 'string') {
      issues.push({ where: `${file}:${i + 1}`, message: row });
      continue;
    }
    seen.add(row.name);
    names.push(row.name);
    rows.push(row.tags);
  }
  enforcePolicy(issues, policy, `invalid row(s) in ${file}`);
  const targets = new Float32Array(names.length * NUM_LABELS);
  rows.forEach((tags, r) => {
    for (const tag of tags) targets[r * NUM_LABELS + tag] = 1;
  });
  return { names, targets, skipped: issues };
}

/** Reads and parses a labels CSV file (see `parseLabels`). */
export async function readLabels(file: string, policy: InvalidPolicy): Promise<LabelTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read labels file ${file}: ${(error as Error).message}`);
  }
  return parseLabels(text, file, policy);
}

/** The tag names set in one multi-hot row (for messages and reports). */
export function tagsOf(targets: Float32Array, row: number): Label[] {
  return LABELS.filter((_, c) => (targets[row * NUM_LABELS + c] ?? 0) > 0);
}
