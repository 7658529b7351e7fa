/**
 * `npm run bench`: MobileNetV2 inference vs full training step (all layers trainable), batch 32,
 * at 64 and 128 px, on the CPU with ONNX Runtime. Each measurement runs in its own child
 * process so that peak RSS is that measurement's alone.
 *
 *   npm run bench                      # the table
 *   npm run bench -- --sizes=64 --steps=5 --threads=2
 *   npm run bench -- --profile         # also write ONNX Runtime profiles of one training step
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, type Measurement, type MeasureRequest } from './measure.js';

const ONNX_FILE = 'mobilenet_v2_1.0_224_imagenet.onnx';
const here = fileURLToPath(new URL('.', import.meta.url));

interface Args {
  readonly sizes: number[];
  readonly batch: number;
  readonly steps: number;
  readonly threads: number;
  readonly profile: boolean;
  readonly convGrads: ('fast' | 'plain')[];
  readonly spin: boolean;
  readonly child?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    sizes: (get('sizes') ?? '64,128').split(',').map(Number),
    batch: Number(get('batch') ?? 32),
    steps: Number(get('steps') ?? 3),
    threads: Number(get('threads') ?? 2),
    profile: argv.includes('--profile'),
    spin: !argv.includes('--no-spin'),
    convGrads: (get('conv-grad') ?? 'fast').split(',').map((v) => (v === 'plain' ? 'plain' : 'fast')),
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
    throw new Error(`benchmark child (${request.mode} ${request.size} px) failed with status ${String(result.status)}: ${result.stdout}`);
  }
  return JSON.parse(line) as Measurement;
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

interface Row { size: number; convGrad: string; infer: Measurement; train: Measurement }

function printTable(rows: Row[], args: Args): void {
  const header = ['input', 'conv grad', 'inference img/s', 'train step img/s', 'ratio', 'infer ms/batch', 'step ms/batch', 'train peak RSS'];
  const widths = header.map((h) => Math.max(h.length, 8));
  console.log(`\nMobileNetV2 1.0, batch ${args.batch}, all layers trainable, CPU, ${args.threads} intra-op threads`);
  console.log(header.map((h, i) => pad(h, widths[i] ?? 0)).join('  '));
  for (const { size, convGrad, infer, train } of rows) {
    const cells = [
      `${size} px`,
      convGrad,
      infer.imagesPerSecond.toFixed(1),
      train.imagesPerSecond.toFixed(1),
      (infer.imagesPerSecond / train.imagesPerSecond).toFixed(2),
      infer.msPerBatch.toFixed(0),
      train.msPerBatch.toFixed(0),
      `${(train.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ];
    console.log(cells.map((c, i) => pad(c, widths[i] ?? 0)).join('  '));
  }
  console.log('ratio = inference images/s / training-step images/s (lower is better; frameworks reach about 3)');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== undefined) {
    const result = await measure(JSON.parse(args.child) as MeasureRequest);
    console.log(JSON.stringify(result));
    return;
  }
  const model = backbonePath();
  if (!existsSync(model)) {
    console.log(`bench: ${model} is absent, nothing to measure. Set BACKBONES_DIR to the folder holding ${ONNX_FILE}.`);
    return;
  }
  const rows: Row[] = [];
  for (const size of args.sizes) {
    const base = { model, size, batch: args.batch, threads: args.threads, steps: args.steps, spin: args.spin };
    // Inference is measured next to each training variant, so every ratio compares runs made
    // under the same machine load.
    for (const convGrad of args.convGrads) {
      const infer = inChild({ ...base, mode: 'infer', profile: false, convGrad });
      console.error(`  ${size} px inference: ${infer.imagesPerSecond.toFixed(1)} img/s`);
      const train = inChild({ ...base, mode: 'train', profile: args.profile, convGrad });
      console.error(`  ${size} px training step (${convGrad} conv gradient): ${train.imagesPerSecond.toFixed(1)} img/s${train.profileFile === undefined ? '' : `, profile ${train.profileFile}`}`);
      rows.push({ size, convGrad, infer, train });
    }
  }
  printTable(rows, args);
}

await main();
