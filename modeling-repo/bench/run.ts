/**
 * `npm run bench`: MobileNetV2 inference vs full training step (all layers trainable), batch 32,
 * at 64 and 128 px, on the CPU with ONNX Runtime. Each size's measurement runs in its own child
 * process so that peak RSS is that training session's alone; inference is timed in the same child,
 * in turn with the training runs, so that their ratio compares the same moments of a machine whose
 * speed drifts. Per size, one more child profiles a training step and prints where its time goes:
 * forward, backward and optimizer, and the five slowest op types.
 *
 *   npm run bench                                  # the table (NCHWc training graphs where available)
 *   npm run bench -- --sizes=64 --steps=5 --threads=2
 *   npm run bench -- --kernels=nchwc,plain         # both training graphs side by side
 *   npm run bench -- --kernels=plain --conv-grad=plain,fast
 *   npm run bench -- --profile                     # keep the profiles (bench/profile-summary.ts reads them)
 *   npm run bench -- --steps-per-run=1             # one training step per session.run (default 8, as train.stepsPerRun)
 *   npm run bench -- --device=webgpu --sizes=128,224 --batch=64   # ONNX Runtime's WebGPU provider (plain
 *                                                  # graphs, state kept on the GPU; adds host-device transfer times)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nchwcBlockSize } from '../src/train/session.js';
import type { BenchDevice } from './device.js';
import { measure, type Measurement, type MeasureRequest } from './measure.js';

const ONNX_FILE = 'mobilenet_v2_1.0_224_imagenet.onnx';
const here = fileURLToPath(new URL('.', import.meta.url));
const USAGE = `usage: npm run bench -- [--sizes=64,128] [--batch=32] [--steps=6] [--threads=2] [--steps-per-run=8]
  [--kernels=nchwc,plain] [--conv-grad=fast,plain] [--profile] [--no-breakdown] [--no-spin] [--device=cpu|webgpu]
Backbone: $BACKBONES_DIR/${ONNX_FILE} (default ../shared/backbones).`;

const DEFAULT_STEPS_PER_RUN = 8;

type Kernels = MeasureRequest['kernels'];
type ConvGrad = MeasureRequest['convGrad'];

interface Args {
  readonly sizes: number[];
  readonly batch: number;
  readonly steps: number;
  readonly stepsPerRun: number;
  readonly threads: number;
  readonly profile: boolean;
  readonly breakdown: boolean;
  readonly kernels: Kernels[] | 'auto';
  readonly convGrads: ConvGrad[];
  readonly spin: boolean;
  readonly device: BenchDevice;
  readonly child?: string;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const hit = allowed.find((a) => a === value);
  if (hit === undefined) {
    throw new Error(`--${flag}=${value}: expected ${allowed.join(' or ')} (comma-separated)\n${USAGE}`);
  }
  return hit;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const kernels = get('kernels');
  const device = oneOf(get('device') ?? 'cpu', ['cpu', 'webgpu'], 'device');
  return {
    device,
    sizes: (get('sizes') ?? '64,128').split(',').map(Number),
    batch: Number(get('batch') ?? 32),
    // Two warm-up runs, then six timed: what the PyTorch reference (torch_bench.py) does.
    steps: Number(get('steps') ?? 6),
    // As the pipeline's default train.stepsPerRun: several steps per session.run (src/train/multi-step.ts).
    stepsPerRun: Number(get('steps-per-run') ?? DEFAULT_STEPS_PER_RUN),
    threads: Number(get('threads') ?? 2),
    profile: argv.includes('--profile'),
    // The profile of a GPU provider times kernel launches, not the GPU's work: no breakdown there.
    breakdown: device === 'cpu' && !argv.includes('--no-breakdown'),
    spin: !argv.includes('--no-spin'),
    kernels: kernels === undefined || kernels === 'auto' ? 'auto' : kernels.split(',').map((v) => oneOf(v, ['nchwc', 'plain'], 'kernels')),
    convGrads: (get('conv-grad') ?? 'fast').split(',').map((v) => oneOf(v, ['fast', 'plain'], 'conv-grad')),
    child: get('child'),
  };
}

function backbonePath(): string {
  const dir = resolve(process.env.BACKBONES_DIR ?? join(here, '..', '..', '..', 'shared', 'backbones'));
  return join(dir, ONNX_FILE);
}

/** Runs one measurement in a fresh Node process (same tsx loader) and reads its JSON line. */
function inChild(request: MeasureRequest): Measurement {
  const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--child=${JSON.stringify(request)}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`benchmark child (${request.size} px) failed with status ${String(result.status)}: ${result.stdout}`);
  }
  return JSON.parse(line) as Measurement;
}

interface Variant { readonly kernels: Kernels; readonly convGrad: ConvGrad }
interface Row { size: number; variant: Variant; train: Measurement; breakdown?: Measurement['breakdown'] }

function label(v: Variant): string {
  return v.kernels === 'nchwc' ? 'nchwc' : `plain, ${v.convGrad} conv grad`;
}

function printTable(rows: Row[], args: Args): void {
  const header = ['input', 'training graph', 'inference img/s', 'train step img/s', 'ratio', 'infer ms/batch', 'step ms/batch', 'train peak RSS'];
  const widths = header.map((h, i) => Math.max(h.length, i === 1 ? 22 : 8));
  const pad = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  const where = args.device === 'cpu' ? `CPU, ${args.threads} intra-op threads, ${args.stepsPerRun} training steps per run` : 'ONNX Runtime WebGPU provider, state kept on the GPU';
  console.log(`\nMobileNetV2 1.0, batch ${args.batch}, all layers trainable, ${where}`);
  console.log(pad(header));
  for (const { size, variant, train } of rows) {
    const infer = train.inference ?? { imagesPerSecond: NaN, msPerBatch: NaN };
    console.log(pad([
      `${size} px`, label(variant), infer.imagesPerSecond.toFixed(1), train.imagesPerSecond.toFixed(1),
      (infer.imagesPerSecond / train.imagesPerSecond).toFixed(2), infer.msPerBatch.toFixed(0), train.msPerBatch.toFixed(0),
      `${(train.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ]));
  }
  console.log('ratio = inference images/s / training-step images/s (lower is better; frameworks reach about 3)');
  printTransfers(rows);
  for (const { size, variant, breakdown } of rows) {
    if (breakdown === undefined) continue;
    const phases = ['forward', 'backward', 'optimizer'].map((p) => `${p} ${(breakdown.phases[p] ?? 0).toFixed(0)} ms`).join(', ');
    const top = breakdown.top.map((o) => `${o.op} ${o.ms.toFixed(0)} ms (${o.count})`).join(', ');
    console.log(`${size} px ${label(variant)} step kernels: ${phases}; top ops: ${top}`);
  }
}

/** device=webgpu: what of a step is host-device traffic (measured apart, on the same device). */
function printTransfers(rows: Row[]): void {
  for (const { size, train } of rows) {
    if (train.transfers === undefined) continue;
    const { stepMs, stateReadMs } = train.transfers;
    console.log(`${size} px host-device transfers: ${stepMs.toFixed(1)} ms of the ${train.msPerBatch.toFixed(0)} ms step ` +
      `(${((100 * stepMs) / train.msPerBatch).toFixed(1)} %: batch up, loss down); reading the state back (once per epoch): ${stateReadMs.toFixed(1)} ms`);
  }
}

function printProgress(train: Measurement, variant: Variant): void {
  const inference = train.inference === undefined ? '' : `, inference in the same rounds: ${train.inference.imagesPerSecond.toFixed(1)} img/s`;
  console.error(`  ${String(train.size)} px training step (${label(variant)}): ${train.imagesPerSecond.toFixed(1)} img/s${inference}`);
}

async function variants(args: Args): Promise<Variant[]> {
  // NCHWc kernels are the CPU provider's: other devices run the plain graph.
  const auto = args.device === 'cpu' && (await nchwcBlockSize()) > 0 ? 'nchwc' as const : 'plain' as const;
  const kernels = args.kernels === 'auto' ? [auto] : args.kernels;
  return kernels.flatMap((k): Variant[] => (k === 'nchwc' ? [{ kernels: k, convGrad: 'fast' }] : args.convGrads.map((convGrad) => ({ kernels: k, convGrad }))));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const args = parseArgs(argv);
  if (args.child !== undefined) {
    console.log(JSON.stringify(await measure(JSON.parse(args.child) as MeasureRequest)));
    return;
  }
  const model = backbonePath();
  if (!existsSync(model)) {
    console.log(`bench: ${model} is absent, nothing to measure. Set BACKBONES_DIR to the folder holding ${ONNX_FILE}.`);
    return;
  }
  const rows: Row[] = [];
  for (const size of args.sizes) {
    const base = { model, size, batch: args.batch, threads: args.threads, steps: args.steps, stepsPerRun: args.stepsPerRun, spin: args.spin, device: args.device };
    for (const variant of await variants(args)) {
      const train = inChild({ ...base, ...variant, profile: false });
      printProgress(train, variant);
      // Profiling slows a run down: the breakdown comes from its own child, never the timed one.
      const profiled = args.profile || args.breakdown ? inChild({ ...base, ...variant, profile: true, steps: 1, stepsPerRun: 1 }) : undefined;
      if (args.profile && profiled?.profileFile !== undefined) console.error(`  profile: ${profiled.profileFile}`);
      rows.push({ size, variant, train, breakdown: profiled?.breakdown });
    }
  }
  printTable(rows, args);
}

await main();
