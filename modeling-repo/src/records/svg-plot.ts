/**
 * Small inline SVG line charts for the run report: no scripts, no external resources, so the
 * report opens from disk in any browser.
 */

export type Point = readonly [number, number];

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly Series[];
}

const WIDTH = 460;
const HEIGHT = 250;
const MARGIN = { left: 62, right: 14, top: 44, bottom: 40 } as const;
const TICKS = 5;
const MARKER_RADIUS = 2.5;
/** Legend entries sit in one row under the title, this far apart. */
const LEGEND_ITEM_WIDTH = 120;
const LEGEND_BASELINE = 34;
const LEGEND_SWATCH = 14;
const TITLE_BASELINE = 18;
const AXIS_LABEL_GAP = 8;
/** Tick steps are one of these times a power of ten. */
const HALF_DECADE = 5;
const NICE_FACTORS: readonly number[] = [1, 2, HALF_DECADE, 10];
/** Digits kept when snapping ticks, to drop floating-point noise such as 0.30000000000000004. */
const TICK_PRECISION = 12;
/** A flat series is drawn in a band this fraction of its value wide on each side. */
const FLAT_PADDING = 0.1;
/** Colour-blind-safe palette (Okabe-Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9'] as const;

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/** Short labels: 0.0001 as 1.0e-4, 1234.5 as 1235, 0.875 as 0.875. */
export function formatNumber(value: number): string {
  const small = 1e-3;
  const large = 1e5;
  const digits = 4;
  if (value !== 0 && (Math.abs(value) < small || Math.abs(value) >= large)) return value.toExponential(1);
  return String(Number(value.toPrecision(digits)));
}

/** Round tick values (1, 2, 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count: number = TICKS): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = NICE_FACTORS.map((factor) => factor * power).find((candidate) => candidate >= raw) ?? raw;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  return Array.from({ length: last - first + 1 }, (_, index) => Number(((first + index) * step).toPrecision(TICK_PRECISION)));
}

interface Scale {
  readonly x: (value: number) => number;
  readonly y: (value: number) => number;
  readonly xTicks: readonly number[];
  readonly yTicks: readonly number[];
}

function extent(values: readonly number[]): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  // A flat line still needs a visible band around it.
  if (min === max) return [min - (Math.abs(min) || 1) * FLAT_PADDING, max + (Math.abs(max) || 1) * FLAT_PADDING];
  return [min, max];
}

function makeScale(points: readonly Point[]): Scale {
  const xs = points.map(([x]) => x);
  // Epochs and steps are whole numbers: no tick at 1.5.
  const xTicks = xs.every(Number.isInteger) ? niceTicks(...extent(xs)).filter(Number.isInteger) : niceTicks(...extent(xs));
  const yTicks = niceTicks(...extent(points.map(([, y]) => y)));
  const [x0, x1] = [xTicks[0] ?? 0, xTicks[xTicks.length - 1] ?? 1];
  const [y0, y1] = [yTicks[0] ?? 0, yTicks[yTicks.length - 1] ?? 1];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    x: (value) => MARGIN.left + ((value - x0) / (x1 - x0 || 1)) * plotWidth,
    y: (value) => HEIGHT - MARGIN.bottom - ((value - y0) / (y1 - y0 || 1)) * plotHeight,
    xTicks,
    yTicks,
  };
}

function axes(scale: Scale, xLabel: string): string {
  const bottom = HEIGHT - MARGIN.bottom;
  const right = WIDTH - MARGIN.right;
  const yLines = scale.yTicks.map((tick) => {
    const y = scale.y(tick).toFixed(1);
    return `<line x1="${MARGIN.left}" x2="${right}" y1="${y}" y2="${y}" class="grid"/>`
      + `<text x="${MARGIN.left - AXIS_LABEL_GAP / 2}" y="${y}" class="ytick">${formatNumber(tick)}</text>`;
  });
  const xLines = scale.xTicks.map((tick) => {
    const x = scale.x(tick).toFixed(1);
    return `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + AXIS_LABEL_GAP / 2}" class="axis"/>`
      + `<text x="${x}" y="${bottom + AXIS_LABEL_GAP * 2}" class="xtick">${formatNumber(tick)}</text>`;
  });
  return [
    ...yLines, ...xLines,
    `<line x1="${MARGIN.left}" x2="${right}" y1="${bottom}" y2="${bottom}" class="axis"/>`,
    `<text x="${(MARGIN.left + right) / 2}" y="${HEIGHT - AXIS_LABEL_GAP / 2}" class="xlabel">${escapeXml(xLabel)}</text>`,
  ].join('');
}

function seriesMarks(series: Series, index: number, scale: Scale): string {
  const colour = PALETTE[index % PALETTE.length] ?? '#000';
  const coords = series.points.map(([x, y]) => `${scale.x(x).toFixed(1)},${scale.y(y).toFixed(1)}`);
  const line = coords.length > 1 ? `<polyline points="${coords.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>` : '';
  const dots = series.points.map(([x, y]) => {
    const label = `${series.name}: ${formatNumber(y)} at ${formatNumber(x)}`;
    return `<circle cx="${scale.x(x).toFixed(1)}" cy="${scale.y(y).toFixed(1)}" r="${MARKER_RADIUS}" fill="${colour}"><title>${escapeXml(label)}</title></circle>`;
  });
  return line + dots.join('');
}

function legend(series: readonly Series[]): string {
  const start = WIDTH / 2 - (series.length * LEGEND_ITEM_WIDTH) / 2;
  return series.map((item, index) => {
    const y = LEGEND_BASELINE;
    const x = start + index * LEGEND_ITEM_WIDTH;
    const colour = PALETTE[index % PALETTE.length] ?? '#000';
    return `<rect x="${x}" y="${y - 4}" width="${LEGEND_SWATCH - 4}" height="4" fill="${colour}"/>`
      + `<text x="${x + LEGEND_SWATCH}" y="${y}" class="legend">${escapeXml(item.name)}</text>`;
  }).join('');
}

/** A line chart as an `<svg>` element; series without finite points are left out. */
export function linePlot(options: PlotOptions): string {
  const series = options.series
    .map((item) => ({ name: item.name, points: item.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }))
    .filter((item) => item.points.length > 0);
  const title = `<text x="${WIDTH / 2}" y="${TITLE_BASELINE}" class="title">${escapeXml(options.title)}</text>`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(options.title)}">`;
  if (series.length === 0) {
    return `${open}${title}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" class="empty">no data yet</text></svg>`;
  }
  const scale = makeScale(series.flatMap((item) => item.points));
  const marks = series.map((item, index) => seriesMarks(item, index, scale)).join('');
  return `${open}${title}${axes(scale, options.xLabel)}${marks}${legend(series)}</svg>`;
}
