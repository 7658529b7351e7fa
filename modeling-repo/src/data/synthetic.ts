import { createRng, deriveSeed, type Rng } from '../util/index.js';
import { CHANNELS, chipBytes, type ChipSet } from './chipset.js';
import { LABELS, NUM_LABELS, type Label } from './labels.js';

/**
 * A generated data set for the smoke experiment and for tests: chips with simple shapes whose
 * presence defines a few tags, so that a tiny CNN learns them in seconds. Deterministic from the
 * seed. The tags used, and what marks them:
 *   primary      green ground (otherwise brown)
 *   water        a blue disc
 *   road         a light grey band across the chip
 *   agriculture  a patch of yellow stripes
 *   habitation   a few small red squares
 *   cloudy       mostly white haze, and then no other tag (as in the real data)
 * Shapes are drawn in fractions of the side, so any size S works.
 */

export const SYNTHETIC_TAGS: readonly Label[] = ['primary', 'water', 'road', 'agriculture', 'habitation', 'cloudy'];

const PROBABILITY: Readonly<Record<string, number>> = {
  primary: 0.6, water: 0.4, road: 0.4, agriculture: 0.4, habitation: 0.3, cloudy: 0.12,
};
type Rgb = readonly [number, number, number];

const HEX = 16;
const HALF = 0.5;

/** Parses `#rrggbb`. */
function rgb(hex: string): Rgb {
  const value = (channel: number): number => parseInt(hex.slice(1 + 2 * channel, 3 + 2 * channel), HEX);
  return [value(0), value(1), value(2)];
}

const NOISE = 12;
const GREEN = rgb('#28642d');
const BROWN = rgb('#826446');
const BLUE = rgb('#1e3caa');
const GREY = rgb('#bebeb9');
const YELLOW = rgb('#d2be3c');
const RED = rgb('#c82828');
const WHITE = rgb('#ebebf0');
const DISC_MIN = 0.12;
const DISC_SPREAD = 0.1;
const ROAD_WIDTH = 0.08;
const PATCH_SIZE = 0.4;
const STRIPE_PERIOD = 0.1;
const HOUSE_SIZE = 0.08;
const HOUSES = 4;
const CLOUD_COVER = 0.85;

interface Canvas {
  readonly size: number;
  readonly pixels: Uint8Array;
  readonly offset: number;
}

function paint(canvas: Canvas, y: number, x: number, colour: Rgb): void {
  if (y < 0 || x < 0 || y >= canvas.size || x >= canvas.size) return;
  const at = canvas.offset + (y * canvas.size + x) * CHANNELS;
  canvas.pixels[at] = colour[0];
  canvas.pixels[at + 1] = colour[1];
  canvas.pixels[at + 2] = colour[2];
}

function fillWhere(canvas: Canvas, colour: Rgb, inside: (y: number, x: number) => boolean): void {
  for (let y = 0; y < canvas.size; y++) {
    for (let x = 0; x < canvas.size; x++) if (inside(y / canvas.size, x / canvas.size)) paint(canvas, y, x, colour);
  }
}

function drawDisc(canvas: Canvas, rng: Rng): void {
  const r = DISC_MIN + rng.next() * DISC_SPREAD;
  const cy = r + rng.next() * (1 - 2 * r);
  const cx = r + rng.next() * (1 - 2 * r);
  fillWhere(canvas, BLUE, (y, x) => (y - cy) ** 2 + (x - cx) ** 2 <= r * r);
}

function drawRoad(canvas: Canvas, rng: Rng): void {
  const at = rng.next() * (1 - ROAD_WIDTH);
  const vertical = rng.next() < HALF;
  fillWhere(canvas, GREY, (y, x) => {
    const v = vertical ? x : y;
    return v >= at && v < at + ROAD_WIDTH;
  });
}

function drawFields(canvas: Canvas, rng: Rng): void {
  const y0 = rng.next() * (1 - PATCH_SIZE);
  const x0 = rng.next() * (1 - PATCH_SIZE);
  fillWhere(canvas, YELLOW, (y, x) => y >= y0 && y < y0 + PATCH_SIZE && x >= x0 && x < x0 + PATCH_SIZE &&
    Math.floor((y - y0) / STRIPE_PERIOD) % 2 === 0);
}

function drawHouses(canvas: Canvas, rng: Rng): void {
  for (let h = 0; h < HOUSES; h++) {
    const y0 = rng.next() * (1 - HOUSE_SIZE);
    const x0 = rng.next() * (1 - HOUSE_SIZE);
    fillWhere(canvas, RED, (y, x) => y >= y0 && y < y0 + HOUSE_SIZE && x >= x0 && x < x0 + HOUSE_SIZE);
  }
}

function addNoise(canvas: Canvas, rng: Rng): void {
  const end = canvas.offset + chipBytes(canvas.size);
  for (let i = canvas.offset; i < end; i++) {
    const value = (canvas.pixels[i] ?? 0) + Math.round((rng.next() - HALF) * 2 * NOISE);
    canvas.pixels[i] = Math.min(255, Math.max(0, value));
  }
}

const DRAW: Readonly<Partial<Record<Label, (canvas: Canvas, rng: Rng) => void>>> = {
  water: drawDisc, road: drawRoad, agriculture: drawFields, habitation: drawHouses,
};

/** Draws one chip and returns its tags. */
function drawChip(canvas: Canvas, rng: Rng): Label[] {
  if (rng.next() < (PROBABILITY.cloudy ?? 0)) {
    fillWhere(canvas, WHITE, () => rng.next() < CLOUD_COVER);
    addNoise(canvas, rng);
    return ['cloudy'];
  }
  const tags: Label[] = [];
  const primary = rng.next() < (PROBABILITY.primary ?? 0);
  if (primary) tags.push('primary');
  fillWhere(canvas, primary ? GREEN : BROWN, () => true);
  for (const [tag, draw] of Object.entries(DRAW) as [Label, (canvas: Canvas, rng: Rng) => void][]) {
    if (rng.next() < (PROBABILITY[tag] ?? 0)) {
      draw(canvas, rng);
      tags.push(tag);
    }
  }
  addNoise(canvas, rng);
  return tags;
}

export interface SyntheticOptions {
  readonly count: number;
  readonly size: number;
  readonly seed: number;
}

/** Generates `count` chips of side `size`, named `train_0`, `train_1`, ... */
export function makeSynthetic(options: SyntheticOptions): ChipSet {
  const { count, size } = options;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(size) || size < 1) {
    throw new RangeError(`synthetic data: count and size must be positive integers, got ${count} and ${size}`);
  }
  const images = new Uint8Array(count * chipBytes(size));
  const targets = new Float32Array(count * NUM_LABELS);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    // One stream per chip: chip i is the same whatever `count` is.
    const rng = createRng(deriveSeed(options.seed, i));
    const tags = drawChip({ size, pixels: images, offset: i * chipBytes(size) }, rng);
    for (const tag of tags) targets[i * NUM_LABELS + LABELS.indexOf(tag)] = 1;
    names.push(`train_${i}`);
  }
  return { size, names, images, targets };
}
