import { keysAt, leafPaths } from './schema.js';

/** Typos further than this many edits from every known key get no suggestion. */
const MAX_EDITS = 2;

/** Levenshtein distance, case-insensitive: `batchsize` is one step from nothing but `batchSize`. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * A hint for an unknown key: a sibling a typo or two away (`train.epoch` -> `train.epochs`), or a
 * key with that name elsewhere in the schema (`epochs` -> `train.epochs`). Empty when nothing fits.
 */
export function suggestKey(path: readonly string[]): string {
  const name = path[path.length - 1] ?? '';
  const parent = path.slice(0, -1);
  const siblings = keysAt(parent)
    .map((key) => ({ key, distance: editDistance(key, name) }))
    .filter(({ distance }) => distance <= MAX_EDITS)
    .sort((a, b) => a.distance - b.distance);
  const best = siblings[0];
  if (best !== undefined) return `; did you mean '${[...parent, best.key].join('.')}'?`;
  const elsewhere = leafPaths().filter((leaf) => {
    const last = leaf.split('.').pop() ?? '';
    return editDistance(last, name) <= (name.length > MAX_EDITS * 2 ? 1 : 0);
  });
  if (elsewhere.length > 0) return `; did you mean ${elsewhere.map((leaf) => `'${leaf}'`).join(' or ')}?`;
  const allowed = keysAt(parent);
  return allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : '';
}
