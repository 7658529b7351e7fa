import { describe, expect, it } from '@jest/globals';

import { DIHEDRAL, resolveDihedral, transformChip, type Dihedral } from './augment.js';

const S = 5;
/** A chip whose every pixel is distinct, so different transforms give different chips. */
const chip = Uint8Array.from({ length: S * S * 3 }, (_, i) => (Math.floor(i / 3) * 7 + (i % 3)) % 256);
const pixel = (c: Uint8Array, y: number, x: number): number[] => Array.from(c.subarray((y * S + x) * 3, (y * S + x) * 3 + 3));
const compose = (...steps: Dihedral[]): Uint8Array => steps.reduce<Uint8Array>((c, step) => transformChip(step, S, c), chip);

describe('dihedral transforms', () => {
  it('are eight distinct chips', () => {
    const keys = new Set(DIHEDRAL.map((t) => Array.from(transformChip(t, S, chip)).join(',')));
    expect(keys.size).toBe(8);
    expect(transformChip('identity', S, chip)).toEqual(chip);
  });

  it('rotate clockwise and flip as documented', () => {
    // Clockwise: the top-left pixel goes to the top-right corner.
    expect(pixel(transformChip('rot90', S, chip), 0, S - 1)).toEqual(pixel(chip, 0, 0));
    expect(pixel(transformChip('flipH', S, chip), 1, 0)).toEqual(pixel(chip, 1, S - 1));
    expect(pixel(transformChip('flipV', S, chip), 0, 2)).toEqual(pixel(chip, S - 1, 2));
    expect(pixel(transformChip('transpose', S, chip), 1, 3)).toEqual(pixel(chip, 3, 1));
    expect(pixel(transformChip('antitranspose', S, chip), 0, 0)).toEqual(pixel(chip, S - 1, S - 1));
  });

  it('form the group of the square', () => {
    expect(compose('rot90', 'rot90')).toEqual(transformChip('rot180', S, chip));
    expect(compose('rot90', 'rot90', 'rot90')).toEqual(transformChip('rot270', S, chip));
    expect(compose('rot90', 'rot270')).toEqual(chip);
    for (const flip of ['flipH', 'flipV', 'transpose', 'antitranspose'] as const) expect(compose(flip, flip)).toEqual(chip);
    expect(compose('flipH', 'flipV')).toEqual(transformChip('rot180', S, chip));
    expect(compose('rot90', 'flipH')).toEqual(transformChip('transpose', S, chip));
  });
});

describe('resolveDihedral', () => {
  it('maps the config setting to a list', () => {
    expect(resolveDihedral(true)).toEqual([...DIHEDRAL]);
    expect(resolveDihedral(false)).toEqual(['identity']);
    expect(resolveDihedral(['flipV', 'identity', 'flipV'])).toEqual(['identity', 'flipV']);
    expect(() => resolveDihedral(['rot45'])).toThrow(/unknown augmentation "rot45"/);
    expect(() => resolveDihedral([])).toThrow(/empty/);
  });
});
