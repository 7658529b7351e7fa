/**
 * The eight symmetries of the square (the dihedral group D4) on square HWC chips. Satellite chips
 * have no preferred orientation, so every flip and rotation of a chip is an equally valid example.
 *
 * For a chip of side S, output pixel (y, x) takes input pixel source(y, x):
 *   identity       (y, x)            rot90 (clockwise)  (S-1-x, y)
 *   rot180         (S-1-y, S-1-x)    rot270             (x, S-1-y)
 *   flipH (mirror) (y, S-1-x)        flipV              (S-1-y, x)
 *   transpose      (x, y)            antitranspose      (S-1-x, S-1-y)
 */

export const DIHEDRAL = [
  'identity', 'rot90', 'rot180', 'rot270', 'flipH', 'flipV', 'transpose', 'antitranspose',
] as const;
export type Dihedral = (typeof DIHEDRAL)[number];

const CHANNELS = 3;

type SourceOf = (y: number, x: number, last: number) => readonly [number, number];

const SOURCE: Readonly<Record<Dihedral, SourceOf>> = {
  identity: (y, x) => [y, x],
  rot90: (y, x, last) => [last - x, y],
  rot180: (y, x, last) => [last - y, last - x],
  rot270: (y, x, last) => [x, last - y],
  flipH: (y, x, last) => [y, last - x],
  flipV: (y, x, last) => [last - y, x],
  transpose: (y, x) => [x, y],
  antitranspose: (y, x, last) => [last - x, last - y],
};

/**
 * The allowed transforms from the config setting: `true` all eight, `false` none (identity only),
 * or an explicit list (duplicates removed, unknown names rejected).
 */
export function resolveDihedral(setting: boolean | readonly string[]): Dihedral[] {
  if (setting === true) return [...DIHEDRAL];
  if (setting === false) return ['identity'];
  if (setting.length === 0) throw new RangeError('augmentation list is empty (use false to turn it off)');
  const known = new Set<string>(DIHEDRAL);
  for (const name of setting) {
    if (!known.has(name)) throw new RangeError(`unknown augmentation "${name}"; expected one of ${DIHEDRAL.join(', ')}`);
  }
  return DIHEDRAL.filter((name) => setting.includes(name));
}

const tables = new Map<string, Int32Array>();

/** For each output pixel, the input pixel it copies; memoised per transform and size. */
function sourceTable(transform: Dihedral, size: number): Int32Array {
  const key = `${transform}:${size}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = new Int32Array(size * size);
    const sourceOf = SOURCE[transform];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const [sy, sx] = sourceOf(y, x, size - 1);
        table[y * size + x] = sy * size + sx;
      }
    }
    tables.set(key, table);
  }
  return table;
}

/**
 * Writes `transform` of the S x S chip at `src[offsets.src..]` to `dst[offsets.dst..]` (HWC, 3
 * bytes a pixel). Source and destination must not overlap.
 */
export function applyDihedral(
  transform: Dihedral, size: number, src: Uint8Array, dst: Uint8Array, offsets: { readonly src: number; readonly dst: number },
): void {
  const pixels = size * size;
  if (transform === 'identity') {
    dst.set(src.subarray(offsets.src, offsets.src + pixels * CHANNELS), offsets.dst);
    return;
  }
  const table = sourceTable(transform, size);
  for (let p = 0; p < pixels; p++) {
    const from = offsets.src + (table[p] ?? 0) * CHANNELS;
    const to = offsets.dst + p * CHANNELS;
    dst[to] = src[from] ?? 0;
    dst[to + 1] = src[from + 1] ?? 0;
    dst[to + 2] = src[from + 2] ?? 0;
  }
}

/** `transform` of one chip, as a new array. */
export function transformChip(transform: Dihedral, size: number, chip: Uint8Array): Uint8Array {
  const out = new Uint8Array(size * size * CHANNELS);
  applyDihedral(transform, size, chip, out, { src: 0, dst: 0 });
  return out;
}
