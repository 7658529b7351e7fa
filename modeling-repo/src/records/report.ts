import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeFileAtomic } from '../util/index.js';
import { readMetrics, METRICS_FILE } from './metrics-log.js';
import type { EpochRecord, EvalRecord, MetricsRecord } from './metrics.js';
import { CONFIG_FILE } from './run-dir.js';
import { escapeXml as esc, formatNumber, linePlot, type Point } from './svg-plot.js';
import { REPORT_STYLE } from './report-style.js';

export const REPORT_FILE = 'report.html';

export type RunState = 'running' | 'completed' | 'failed' | 'stopped';

export interface ArtifactEntry {
  readonly path: string;
  readonly kind: string;
}

export interface ReportInput {
  readonly title: string;
  readonly records: readonly MetricsRecord[];
  /** The resolved configuration as a plain tree (for the summary) and/or its YAML text. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly configYaml?: string;
  readonly status?: RunState;
  readonly artifacts?: readonly ArtifactEntry[];
  readonly generatedAt?: Date;
}

/** Configuration keys shown in the summary table, in this order. */
const SUMMARY_KEYS = [
  'experiment', 'seed', 'device', 'data.labels', 'data.sources', 'data.synthetic.enabled', 'data.valFraction', 'data.limit',
  'model.inputSize', 'model.trainSize', 'model.backbone.kind', 'model.backbone.format', 'model.backbone.path',
  'train.epochs', 'train.batchSize', 'train.trainable', 'train.lr', 'train.lrMultipliers', 'train.weightDecay', 'train.labelSmoothing', 'train.emaDecay', 'train.positiveWeight',
  'train.augment.dihedral', 'eval.thresholdStart',
] as const;

const PERCENT = 100;
const DECIMALS = 4;

function fixed(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(DECIMALS);
}

function lookup(tree: Readonly<Record<string, unknown>>, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), tree);
}

/**
 * One record per epoch, in epoch order. A run resumed from a checkpoint may log an epoch again
 * (when it stopped after logging but before checkpointing); the later line wins.
 */
export function latestEpochs(records: readonly MetricsRecord[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const record of records) if (record.kind === 'epoch') byEpoch.set(record.epoch, record);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function epochSeries(epochs: readonly EpochRecord[], pick: (record: EpochRecord) => number | undefined): Point[] {
  return epochs.flatMap((record) => {
    const value = pick(record);
    return value === undefined ? [] : [[record.epoch, value] as const];
  });
}

function plots(records: readonly MetricsRecord[]): string {
  const epochs = latestEpochs(records);
  const evals = records.filter((record): record is EvalRecord => record.kind === 'eval' && record.epoch !== undefined);
  const evalPoints = (pick: (record: EvalRecord) => number): Point[] => evals.map((record) => [record.epoch ?? 0, pick(record)] as const);
  const charts = [
    linePlot({ title: 'Loss', xLabel: 'epoch', series: [
      { name: 'train', points: epochSeries(epochs, (record) => record.trainLoss) },
      { name: 'validation', points: epochSeries(epochs, (record) => record.valLoss) },
    ] }),
    linePlot({ title: 'Validation F2', xLabel: 'epoch', series: [
      { name: 'fixed threshold', points: epochSeries(epochs, (record) => record.valF2) },
      { name: 'tuned', points: evalPoints((record) => record.f2) },
      ...(epochs.some((record) => record.valF2Raw !== undefined)
        ? [{ name: 'last step, unaveraged', points: epochSeries(epochs, (record) => record.valF2Raw) }] : []),
    ] }),
    linePlot({ title: 'Learning rate (end of epoch)', xLabel: 'epoch', series: [{ name: 'lr', points: epochSeries(epochs, (record) => record.lr) }] }),
    linePlot({ title: 'Training images / second', xLabel: 'epoch', series: [{ name: 'images/s', points: epochSeries(epochs, (record) => record.imagesPerSecond) }] }),
  ];
  return `<section class="plots">${charts.map((chart) => `<figure>${chart}</figure>`).join('')}</section>`;
}

function headline(records: readonly MetricsRecord[]): string {
  const epochs = latestEpochs(records);
  const last = records.filter((record): record is EvalRecord => record.kind === 'eval').at(-1);
  const best = epochs.reduce<EpochRecord | undefined>((top, record) => ((record.valF2 ?? -1) > (top?.valF2 ?? -1) ? record : top), undefined);
  const seconds = epochs.reduce((sum, record) => sum + record.seconds, 0);
  const speed = epochs.length === 0 ? undefined : epochs.reduce((sum, record) => sum + record.imagesPerSecond, 0) / epochs.length;
  const cards: [string, string][] = [
    [`F2 (${last?.split ?? 'val'}, tuned thresholds)`, fixed(last?.f2)],
    [`F2 at threshold ${last === undefined ? '–' : formatNumber(last.fixedThreshold)}`, fixed(last?.f2AtFixedThreshold)],
    ['epochs', String(epochs.length)],
    ['best epoch (validation F2)', best === undefined ? '–' : `${best.epoch} (${fixed(best.valF2)})`],
    ['time in epochs', `${seconds.toFixed(0)} s`],
    ['mean images / second', speed === undefined ? '–' : speed.toFixed(1)],
  ];
  return `<section class="cards">${cards.map(([label, value]) => `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`).join('')}</section>`;
}

function classTable(record: EvalRecord | undefined): string {
  if (record === undefined) return '<section><h2>Per-class scores</h2><p class="muted">No evaluation yet.</p></section>';
  const rows = Object.entries(record.perClass).map(([label, scores]) => {
    const threshold = record.thresholds[label];
    const bar = `<span class="bar" style="width:${(Math.max(0, Math.min(1, scores.f2)) * PERCENT).toFixed(1)}%"></span>`;
    return `<tr><td>${esc(label)}</td><td class="num">${scores.support ?? '–'}</td><td class="num">${fixed(scores.precision)}</td>`
      + `<td class="num">${fixed(scores.recall)}</td><td class="num f2">${bar}<span>${fixed(scores.f2)}</span></td>`
      + `<td class="num">${threshold === undefined ? '–' : threshold.toFixed(2)}</td></tr>`;
  });
  return `<section><h2>Per-class scores (${esc(record.split)}, ${record.images} images, tuned thresholds)</h2>`
    + '<table><thead><tr><th>tag</th><th>support</th><th>precision</th><th>recall</th><th>F2</th><th>threshold</th></tr></thead>'
    + `<tbody>${rows.join('')}</tbody></table></section>`;
}

function evalTable(evals: readonly EvalRecord[]): string {
  if (evals.length < 2) return '';
  const rows = evals.map((record) => `<tr><td>${esc(record.split)}</td><td class="num">${record.epoch ?? '–'}</td><td class="num">${record.step}</td>`
    + `<td class="num">${record.images}</td><td class="num">${fixed(record.f2)}</td><td class="num">${fixed(record.f2AtFixedThreshold)}</td></tr>`);
  return '<section><h2>Evaluations</h2><table><thead><tr><th>split</th><th>epoch</th><th>step</th><th>images</th><th>F2 tuned</th><th>F2 fixed</th></tr></thead>'
    + `<tbody>${rows.join('')}</tbody></table></section>`;
}

function configSection(input: ReportInput): string {
  const tree = input.config ?? (input.configYaml === undefined ? undefined : (parseYaml(input.configYaml) as Record<string, unknown>));
  const rows = tree === undefined ? [] : SUMMARY_KEYS.flatMap((key) => {
    const value = lookup(tree, key);
    return value === undefined ? [] : [`<tr><td><code>${key}</code></td><td>${esc(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`];
  });
  const table = rows.length > 0 ? `<table class="config"><tbody>${rows.join('')}</tbody></table>` : '<p class="muted">No configuration saved.</p>';
  const full = input.configYaml === undefined ? '' : `<details><summary>Full resolved configuration</summary><pre>${esc(input.configYaml)}</pre></details>`;
  return `<section><h2>Configuration</h2>${table}${full}</section>`;
}

function artifactSection(artifacts: readonly ArtifactEntry[]): string {
  if (artifacts.length === 0) return '';
  const items = artifacts.map((item) => `<li><span class="kind">${esc(item.kind)}</span> <code>${esc(item.path)}</code></li>`);
  return `<section><h2>Artifacts</h2><ul>${items.join('')}</ul></section>`;
}

/** The report page: self-contained HTML (inline CSS and SVG, no scripts, no external resources). */
export function renderReport(input: ReportInput): string {
  const evals = input.records.filter((record): record is EvalRecord => record.kind === 'eval');
  const status = input.status ?? 'running';
  const generated = (input.generatedAt ?? new Date()).toISOString();
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title><style>${REPORT_STYLE}</style></head>
<body><header><h1>${esc(input.title)}</h1><span class="status ${status}">${status}</span>
<p class="muted">Report generated ${esc(generated)} from ${METRICS_FILE} (${input.records.length} records).</p></header>
${headline(input.records)}${plots(input.records)}${classTable(evals.at(-1))}${evalTable(evals)}${configSection(input)}${artifactSection(input.artifacts ?? [])}
</body></html>
`;
}

/**
 * Renders `<runDir>/report.html` from the run's `metrics.jsonl` and `config.yaml` (either may be
 * missing while a run starts), atomically. Returns the report's path.
 */
export async function writeReport(runDir: string, extra: Partial<Omit<ReportInput, 'records' | 'configYaml'>> = {}): Promise<string> {
  const metricsFile = join(runDir, METRICS_FILE);
  const configFile = join(runDir, CONFIG_FILE);
  const records = existsSync(metricsFile) ? readMetrics(metricsFile) : [];
  const configYaml = existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined;
  const input: ReportInput = { title: `Run ${basename(runDir)}`, ...extra, records, ...(configYaml === undefined ? {} : { configYaml }) };
  const file = join(runDir, REPORT_FILE);
  await writeFileAtomic(file, renderReport(input));
  return file;
}
