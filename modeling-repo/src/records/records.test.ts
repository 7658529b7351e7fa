import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadConfig, loadSavedConfig } from '../config/index.js';
import {
  CompositeTracker, createRunDir, LocalTracker, MetricsLog, readEventFile, readMetrics, renderReport, saveResolvedConfig, scalarsOf,
  type EpochRecord, type EvalRecord, type MetricsRecord, type Tracker,
} from './index.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'records-'));
}

function epoch(n: number, extra: Partial<EpochRecord> = {}): EpochRecord {
  return { kind: 'epoch', epoch: n, step: n * 10, trainLoss: 1 / n, valLoss: 1.2 / n, valF2: 0.5 + n / 20, lr: 0.001 / n, imagesPerSecond: 100 + n, seconds: 2, ...extra };
}

const evalRecord: EvalRecord = {
  kind: 'eval', split: 'val', step: 30, epoch: 3, images: 64, f2: 0.71, f2AtFixedThreshold: 0.69, fixedThreshold: 0.2, loss: 0.3,
  thresholds: { clear: 0.25, haze: 0.12 },
  perClass: { clear: { precision: 0.9, recall: 0.95, f2: 0.94, support: 50 }, haze: { precision: 0.3, recall: 0.6, f2: 0.5, support: 5 } },
};

describe('createRunDir', () => {
  it('names the folder <exp>-<YYYYmmdd-HHMMSS>-<id> and never reuses one', async () => {
    const root = join(await tempDir(), 'runs');
    const now = new Date(2026, 10, 26, 9, 5, 7);
    const first = createRunDir(root, 'smoke', now);
    const second = createRunDir(root, 'smoke', now);
    expect(basename(first)).toMatch(/^smoke-20261126-090507-[0-9a-f]{6}$/);
    expect(second).not.toBe(first);
    expect(readdirSync(root).sort()).toEqual([basename(first), basename(second)].sort());
  });

  it('rejects names that would escape the runs folder', () => {
    expect(() => createRunDir(tmpdir(), '../x')).toThrow("run name '../x'");
  });
});

describe('saveResolvedConfig', () => {
  it('saves a config that loads back identically', async () => {
    const { config, sources } = await loadConfig({ configDir: resolve('configs'), exp: 'smoke', env: {} });
    const runDir = await tempDir();
    const file = await saveResolvedConfig(runDir, config, sources);
    expect(await readFile(file, 'utf8')).toContain('# configs/exp/smoke.yaml:');
    expect((await loadSavedConfig(file, [], {})).config).toEqual(config);
  });
});

describe('MetricsLog', () => {
  it('appends one JSON line per record, stamping the time, and reads them back', async () => {
    const runDir = await tempDir();
    const log = new MetricsLog(runDir, () => new Date('2026-11-26T10:00:00Z'));
    log.append(epoch(1));
    // Each line is on disk as soon as it is appended.
    expect((await readFile(log.path, 'utf8')).split('\n')).toHaveLength(2);
    log.append({ ...evalRecord, time: '2026-11-26T11:00:00.000Z' });
    log.close();
    const records = readMetrics(log.path);
    expect(records).toEqual([{ ...epoch(1), time: '2026-11-26T10:00:00.000Z' }, { ...evalRecord, time: '2026-11-26T11:00:00.000Z' }]);
    // A resumed run keeps appending to the same file.
    const again = new MetricsLog(runDir);
    again.append(epoch(2));
    again.close();
    expect(readMetrics(log.path)).toHaveLength(3);
  });

  it('rejects a malformed record before writing it', async () => {
    const log = new MetricsLog(await tempDir());
    const bad = { ...epoch(1), trainLoss: 'high' } as unknown as MetricsRecord;
    expect(() => log.append(bad)).toThrow(/metrics\.jsonl \(new epoch record\): field 'trainLoss'/);
    log.close();
    expect(await readFile(log.path, 'utf8')).toBe('');
  });

  it('names the file, line and field of a bad line when reading', async () => {
    const file = join(await tempDir(), 'metrics.jsonl');
    await writeFile(file, `${JSON.stringify(epoch(1))}\n{"kind":"epoch"\n`);
    expect(() => readMetrics(file)).toThrow(`${file}:2: not JSON`);
    await writeFile(file, `${JSON.stringify(epoch(1))}\n\n${JSON.stringify({ ...evalRecord, f2: null })}\n`);
    expect(() => readMetrics(file)).toThrow(`${file}:3: field 'f2'`);
  });
});

describe('scalarsOf', () => {
  it('names epoch and evaluation scalars as group/name tags', () => {
    expect(scalarsOf(epoch(2, { valLoss: undefined }))).toEqual({
      'loss/train': 0.5, 'f2/val': 0.6, 'train/lr': 0.0005, 'train/images_per_second': 102, 'train/epoch_seconds': 2,
    });
    expect(scalarsOf(evalRecord)).toMatchObject({
      'eval_val/f2': 0.71, 'eval_val/f2_fixed_threshold': 0.69, 'eval_val/loss': 0.3, 'class_f2_val/haze': 0.5, 'threshold_val/clear': 0.25,
    });
  });
});

describe('renderReport', () => {
  const html = renderReport({
    title: 'Run <smoke>', records: [epoch(1), epoch(2), epoch(3), evalRecord], status: 'completed',
    configYaml: 'experiment: smoke\ntrain:\n  epochs: 3\n', artifacts: [{ path: 'bundle/model.onnx', kind: 'bundle' }],
    generatedAt: new Date('2026-11-26T10:00:00Z'),
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html.match(/href=/g) ?? []).toHaveLength(0);
  });

  it('plots loss, F2, learning rate and throughput per epoch', () => {
    expect(html.match(/<svg /g)).toHaveLength(4);
    for (const title of ['Loss', 'Validation F2', 'Learning rate', 'Training images / second']) expect(html).toContain(`aria-label="${title}`);
    // Three epochs: each per-epoch series is a polyline of three points.
    expect(html).toMatch(/<polyline points="[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
    expect(html).toContain('<title>train: 0.5 at 2</title>');
  });

  it('shows the per-class table with tuned thresholds, the headline and the config', () => {
    expect(html).toContain('<td>haze</td><td class="num">5</td><td class="num">0.3000</td><td class="num">0.6000</td>');
    expect(html).toContain('<td class="num">0.12</td>');
    expect(html).toContain('<div class="value">0.7100</div><div class="label">F2 (val, tuned thresholds)</div>');
    expect(html).toContain('<div class="value">3 (0.6500)</div>');
    expect(html).toContain('<td><code>train.epochs</code></td><td>3</td>');
    expect(html).toContain('<title>Run &lt;smoke&gt;</title>');
    expect(html).toContain('<span class="status completed">completed</span>');
  });

  it('keeps the last line of an epoch logged twice (resumed run)', () => {
    const resumed = renderReport({ title: 'Run', records: [epoch(1), epoch(2, { trainLoss: 9 }), epoch(2), epoch(3)] });
    expect(resumed).toContain('<div class="value">3</div><div class="label">epochs</div>');
    expect(resumed).not.toContain('train: 9 at 2');
    expect(resumed).toContain('<title>train: 0.5 at 2</title>');
  });

  it('renders an empty run without failing', () => {
    const empty = renderReport({ title: 'Run', records: [] });
    expect(empty).toContain('no data yet');
    expect(empty).toContain('No evaluation yet.');
  });
});

describe('LocalTracker', () => {
  it('writes config, metrics, TensorBoard events, report and summary for a run', async () => {
    const { config, sources } = await loadConfig({ configDir: resolve('configs'), exp: 'smoke', env: {} });
    const runDir = createRunDir(await tempDir(), config.experiment);
    const tracker = new LocalTracker();
    await tracker.onRunStart(config, runDir, sources);
    expect(await readFile(join(runDir, 'report.html'), 'utf8')).toContain('status running');
    for (const n of [1, 2]) await tracker.onScalars(n * 10, epoch(n));
    await tracker.onScalars(20, evalRecord);
    await tracker.onArtifact(join(runDir, 'checkpoint.bin'), 'checkpoint');
    await tracker.onArtifact(join(runDir, 'checkpoint.bin'), 'checkpoint');
    await tracker.onRunEnd('completed');

    const files = readdirSync(runDir).sort();
    expect(files.filter((name) => !name.startsWith('events.out.tfevents.'))).toEqual(['config.yaml', 'metrics.jsonl', 'report.html', 'run.json']);
    expect(readMetrics(join(runDir, 'metrics.jsonl')).map((record) => record.kind)).toEqual(['epoch', 'epoch', 'eval']);
    const eventFile = files.find((name) => name.startsWith('events.out.tfevents.')) ?? '';
    const events = readEventFile(join(runDir, eventFile));
    expect(events.map((event) => event.step)).toEqual([0, 10, 20, 20]);
    expect(events[1]?.scalars.find((scalar) => scalar.tag === 'loss/train')?.value).toBe(1);
    const summary = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { status: string; artifacts: unknown[] };
    expect(summary.status).toBe('completed');
    expect(summary.artifacts).toEqual([{ path: 'checkpoint.bin', kind: 'checkpoint' }]);
    const report = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(report).toContain('<span class="status completed">completed</span>');
    expect(report).toContain('checkpoint.bin');
  });

  it('must be started before it records', async () => {
    await expect(new LocalTracker().onScalars(1, epoch(1))).rejects.toThrow('onRunStart must be called first');
  });
});

describe('CompositeTracker', () => {
  class Recording implements Tracker {
    readonly calls: string[] = [];
    constructor(private readonly failOn?: string) {}
    private record(name: string): Promise<void> {
      this.calls.push(name);
      return name === this.failOn ? Promise.reject(new Error(`${name} broke`)) : Promise.resolve();
    }
    onRunStart(): Promise<void> { return this.record('start'); }
    onScalars(step: number): Promise<void> { return this.record(`scalars ${step}`); }
    onArtifact(path: string): Promise<void> { return this.record(`artifact ${path}`); }
    onRunEnd(status: string): Promise<void> { return this.record(`end ${status}`); }
  }

  it('fans out to every tracker; optional failures only warn', async () => {
    const local = new Recording();
    const remote = new Recording('scalars 1');
    const warnings: string[] = [];
    const tracker = new CompositeTracker([local], [remote], (message) => warnings.push(message));
    const { config } = await loadConfig({ configDir: resolve('configs'), exp: 'smoke', env: {} });
    await tracker.onRunStart(config, 'runs/x');
    await tracker.onScalars(1, epoch(1));
    await tracker.onArtifact('a.onnx', 'bundle');
    await tracker.onRunEnd('completed');
    expect(local.calls).toEqual(['start', 'scalars 1', 'artifact a.onnx', 'end completed']);
    expect(remote.calls).toEqual(local.calls);
    expect(warnings).toEqual(['tracker Recording failed in onScalars (training continues): scalars 1 broke']);
  });

  it('propagates failures of required trackers', async () => {
    const tracker = new CompositeTracker([new Recording('end failed')]);
    await expect(tracker.onRunEnd('failed')).rejects.toThrow('end failed broke');
    expect(existsSync('runs/x')).toBe(false);
  });
});
