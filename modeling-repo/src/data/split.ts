import { createRng, permutation, type Rng } from '../util/index.js';
import { NUM_LABELS } from './labels.js';

/**
 * Seeded train/validation split that keeps label proportions for multi-label data: iterative
 * stratification (Sechidis, Tsoumakas and Vlahavas, "On the Stratification of Multi-Label Data",
 * ECML PKDD 2011), the algorithm of scikit-multilearn's IterativeStratification.
 *
 * Each fold j wants r_j of all rows and r_j of each label's positive rows. Repeatedly take the
 * label with the fewest rows still unassigned (rare labels first, while there is still freedom to
 * place them) and deal each of its rows to the fold that most wants that label, breaking ties by
 * the fold that wants the most rows overall, then at random. Rows with no labels go last to the fold
 * that wants the most rows. The same targets, proportions and seed always give the same split.
 */

/** Row indices (into the data set) of each side of a split, ascending. */
export interface Split {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
}

interface State {
  readonly wantRows: Float64Array;
  /** [label][fold], flattened. */
  readonly wantLabel: Float64Array;
  readonly folds: number;
  readonly rng: Rng;
}

/** The positive labels of every row, from row-major multi-hot targets. */
function rowLabels(targets: Float32Array, classes: number): number[][] {
  const rows = targets.length / classes;
  const labels: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const list: number[] = [];
    for (let c = 0; c < classes; c++) if ((targets[r * classes + c] ?? 0) > 0) list.push(c);
    labels.push(list);
  }
  return labels;
}

/** Indices with the largest value among `candidates` (exact ties kept). */
function argmaxAll(candidates: readonly number[], value: (fold: number) => number): number[] {
  let best = -Infinity;
  let winners: number[] = [];
  for (const fold of candidates) {
    const v = value(fold);
    if (v > best) {
      best = v;
      winners = [fold];
    } else if (v === best) {
      winners.push(fold);
    }
  }
  return winners;
}

/** The fold a row of `label` goes to (label < 0: a row without labels). */
function chooseFold(state: State, label: number): number {
  const all = Array.from({ length: state.folds }, (_, j) => j);
  let winners = label < 0 ? all : argmaxAll(all, (j) => state.wantLabel[label * state.folds + j] ?? 0);
  if (winners.length > 1) winners = argmaxAll(winners, (j) => state.wantRows[j] ?? 0);
  return winners.length > 1 ? (winners[state.rng.int(winners.length)] ?? 0) : (winners[0] ?? 0);
}

function assign(state: State, fold: number, labels: readonly number[]): void {
  state.wantRows[fold] = (state.wantRows[fold] ?? 0) - 1;
  for (const c of labels) state.wantLabel[c * state.folds + fold] = (state.wantLabel[c * state.folds + fold] ?? 0) - 1;
}

/** The label with the fewest unassigned rows (> 0), ties at random; -1 when none is left. */
function rarestLabel(remaining: Float64Array, rng: Rng): number {
  const candidates: number[] = [];
  let fewest = Infinity;
  remaining.forEach((count, c) => {
    if (count <= 0 || count > fewest) return;
    if (count < fewest) candidates.length = 0;
    fewest = count;
    candidates.push(c);
  });
  if (candidates.length === 0) return -1;
  return candidates[rng.int(candidates.length)] ?? -1;
}

function initialState(labels: readonly number[][], classes: number, proportions: readonly number[], rng: Rng): State {
  const folds = proportions.length;
  const wantRows = new Float64Array(proportions.map((r) => r * labels.length));
  const wantLabel = new Float64Array(classes * folds);
  for (const list of labels) {
    for (const c of list) for (let j = 0; j < folds; j++) wantLabel[c * folds + j] = (wantLabel[c * folds + j] ?? 0) + (proportions[j] ?? 0);
  }
  return { wantRows, wantLabel, folds, rng };
}

/** Rows of each label, each list in the seeded visiting order. */
function rowsByLabel(labels: readonly number[][], order: Uint32Array, classes: number): number[][] {
  const byLabel: number[][] = Array.from({ length: classes }, () => []);
  for (const row of order) for (const c of labels[row] ?? []) byLabel[c]?.push(row);
  return byLabel;
}

/**
 * Assigns every row to a fold so that each fold gets about `proportions[j]` of the rows and of
 * each label's positives. Returns the fold of each row.
 */
export function iterativeStratification(
  targets: Float32Array, proportions: readonly number[], seed: number, classes = NUM_LABELS,
): Uint8Array {
  const labels = rowLabels(targets, classes);
  const rng = createRng(seed);
  const state = initialState(labels, classes, proportions, rng);
  // Visiting rows in a seeded random order makes ties depend on the seed, not on file order.
  const order = permutation(labels.length, rng);
  const byLabel = rowsByLabel(labels, order, classes);
  const remaining = new Float64Array(byLabel.map((rows) => rows.length));
  const unassigned = proportions.length;
  const fold = new Uint8Array(labels.length).fill(unassigned);
  const place = (row: number, label: number): void => {
    const j = chooseFold(state, label);
    fold[row] = j;
    assign(state, j, labels[row] ?? []);
    for (const c of labels[row] ?? []) remaining[c] = (remaining[c] ?? 0) - 1;
  };
  for (let label = rarestLabel(remaining, rng); label >= 0; label = rarestLabel(remaining, rng)) {
    for (const row of byLabel[label] ?? []) if (fold[row] === unassigned) place(row, label);
  }
  // Rows without labels go last, to the folds that still want the most rows.
  for (const row of order) if (fold[row] === unassigned) place(row, -1);
  return fold;
}

/** Indices of rows in `fold`, ascending. */
function rowsOf(folds: Uint8Array, fold: number): Uint32Array {
  const rows: number[] = [];
  folds.forEach((f, row) => { if (f === fold) rows.push(row); });
  return Uint32Array.from(rows);
}

/** A stratified train/validation split with about `valFraction` of the rows in validation. */
export function stratifiedSplit(targets: Float32Array, valFraction: number, seed: number, classes = NUM_LABELS): Split {
  if (!(valFraction > 0 && valFraction < 1)) throw new RangeError(`valFraction must be in (0, 1), got ${valFraction}`);
  const folds = iterativeStratification(targets, [1 - valFraction, valFraction], seed, classes);
  return { train: rowsOf(folds, 0), validation: rowsOf(folds, 1) };
}

/** One line for the model card's `metrics.split`. */
export function describeSplit(valFraction: number, seed: number, validationRows: number): string {
  return `iterative stratification (Sechidis et al. 2011), ${Math.round(valFraction * 100)}% validation ` +
    `(${validationRows} images), seed ${seed}`;
}
