import { describe, expect, it } from '@jest/globals';
import { escapeXml, formatNumber, linePlot, niceTicks } from './svg-plot.js';

describe('niceTicks', () => {
  it('covers the whole range with round steps', () => {
    expect(niceTicks(0.75, 0.912)).toEqual([0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(niceTicks(1, 10)).toEqual([0, 5, 10]);
    expect(niceTicks(0.00001, 0.001)).toEqual([0, 0.0005, 0.001]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('formatNumber', () => {
  it('keeps labels short', () => {
    expect(formatNumber(0.0005)).toBe('5.0e-4');
    expect(formatNumber(0.87654321)).toBe('0.8765');
    expect(formatNumber(123456)).toBe('1.2e+5');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('linePlot', () => {
  it('escapes text and leaves out non-finite points', () => {
    const svg = linePlot({ title: 'a<b', xLabel: 'x&y', series: [{ name: '"s"', points: [[1, 2], [2, Number.NaN], [3, 4]] }] });
    expect(svg).toContain('aria-label="a&lt;b"');
    expect(svg).toContain('>x&amp;y</text>');
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(linePlot({ title: 't', xLabel: 'epoch', series: [{ name: 's', points: [[1, 1], [2, 2], [3, 1]] }] })).not.toContain('class="xtick">1.5</text>');
    expect(escapeXml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });
});
