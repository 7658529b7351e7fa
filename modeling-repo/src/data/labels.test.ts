import { jest, describe, expect, it } from '@jest/globals';

import { DataError, LABELS, NUM_LABELS, parseLabels, tagsOf } from './labels.js';

const HEADER = 'image_name,tags';

describe('LABELS', () => {
  it('are the 17 competition tags in alphabetical order', () => {
    expect(LABELS).toHaveLength(17);
    expect([...LABELS].sort()).toEqual([...LABELS]);
    expect(LABELS[0]).toBe('agriculture');
    expect(LABELS[16]).toBe('water');
  });
});

describe('parseLabels', () => {
  it('turns tags into multi-hot rows in LABELS order', () => {
    const table = parseLabels(`${HEADER}\ntrain_0,haze primary\ntrain_1,agriculture clear primary water\r\n\n`, 'a.csv', 'fail');
    expect(table.names).toEqual(['train_0', 'train_1']);
    expect(table.targets).toHaveLength(2 * NUM_LABELS);
    expect(tagsOf(table.targets, 0)).toEqual(['haze', 'primary']);
    expect(tagsOf(table.targets, 1)).toEqual(['agriculture', 'clear', 'primary', 'water']);
    expect(table.targets[NUM_LABELS + LABELS.indexOf('water')]).toBe(1);
    expect(table.skipped).toEqual([]);
  });

  it('accepts a row with no tags and repeated tags', () => {
    const table = parseLabels(`${HEADER}\ntrain_5,\ntrain_6,clear  clear primary\n`, 'a.csv', 'fail');
    expect(tagsOf(table.targets, 0)).toEqual([]);
    expect(tagsOf(table.targets, 1)).toEqual(['clear', 'primary']);
  });

  it('requires the header', () => {
    expect(() => parseLabels('train_0,clear\n', 'x.csv', 'fail')).toThrow(/x\.csv:1: expected the header "image_name,tags"/);
  });

  it.each([
    ['an unknown tag', 'train_1,clear forest', /bad\.csv:3: unknown tag "forest" for image "train_1"/],
    ['a duplicate name', 'train_0,cloudy', /bad\.csv:3: duplicate image_name "train_0"/],
    ['too many columns', 'train_1,clear,primary', /bad\.csv:3: expected 2 comma-separated columns .* found 3/],
    ['too few columns', 'train_1', /bad\.csv:3: expected 2 comma-separated columns .* found 1/],
    ['an empty name', ',clear', /bad\.csv:3: empty image_name/],
  ])('fails on %s, naming file and line', (_, row, message) => {
    const text = `${HEADER}\ntrain_0,clear\n${row}\ntrain_9,haze\n`;
    expect(() => parseLabels(text, 'bad.csv', 'fail')).toThrow(message);
    expect(() => parseLabels(text, 'bad.csv', 'fail')).toThrow(DataError);
  });

  it('lists every bad row in the error, the first few in full', () => {
    const rows = Array.from({ length: 8 }, (_, i) => `train_${i},nope`);
    try {
      parseLabels(`${HEADER}\n${rows.join('\n')}\n`, 'many.csv', 'fail');
      throw new Error('expected a DataError');
    } catch (error) {
      expect(error).toBeInstanceOf(DataError);
      const dataError = error as DataError;
      expect(dataError.issues).toHaveLength(8);
      expect(dataError.message).toMatch(/^8 invalid row\(s\) in many\.csv/);
      expect(dataError.message).toContain('many.csv:2:');
      expect(dataError.message).toContain('... and 3 more');
    }
  });

  it('under skip, warns with the count and keeps the good rows', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const table = parseLabels(`${HEADER}\ntrain_0,clear\ntrain_1,bogus\ntrain_2,haze\n`, 's.csv', 'skip');
      expect(table.names).toEqual(['train_0', 'train_2']);
      expect(tagsOf(table.targets, 1)).toEqual(['haze']);
      expect(table.skipped).toEqual([{ where: 's.csv:3', message: 'unknown tag "bogus" for image "train_1"' }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/skipping 1 invalid row\(s\) in s\.csv:\n {2}s\.csv:3: unknown tag/);
    } finally {
      warn.mockRestore();
    }
  });
});
