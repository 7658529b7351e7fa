/**
 * `npx tsx bench/profile-summary.ts FILE.json [TOP]`: time per op type (and the slowest nodes)
 * of the last run in an ONNX Runtime profile, e.g. one written by `npm run bench -- --profile`.
 */
import { readFileSync } from 'node:fs';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args: { op_name?: string; output_type_shape?: unknown };
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.log('usage: tsx bench/profile-summary.ts PROFILE.json [TOP]');
  process.exit(1);
}
const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
const last = runs.at(-1);
if (last === undefined) {
  console.log(`${file}: no model_run events`);
  process.exit(1);
}
const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= last.ts && e.ts <= last.ts + last.dur);
const byOp = new Map<string, { ms: number; count: number }>();
for (const n of nodes) {
  // Nodes named by phase (bench --profile names them fwdN / bwdN) are grouped per phase too.
  const phase = /^(fwd|bwd)\d/.exec(n.name)?.[1];
  const op = `${phase === undefined ? '' : `${phase} `}${n.args.op_name ?? '?'}`;
  const entry = byOp.get(op) ?? { ms: 0, count: 0 };
  entry.ms += n.dur / 1000;
  entry.count += 1;
  byOp.set(op, entry);
}
const total = [...byOp.values()].reduce((s, v) => s + v.ms, 0);
console.log(`runs (ms): ${runs.map((r) => (r.dur / 1000).toFixed(0)).join(', ')}; last run's kernels: ${total.toFixed(0)} ms`);
for (const [op, v] of [...byOp].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${op.padEnd(24)} ${v.ms.toFixed(1).padStart(8)} ms ${String(v.count).padStart(5)} nodes ${((100 * v.ms) / total).toFixed(1).padStart(5)} %`);
}
const top = Number(topArg ?? 0);
for (const n of nodes.sort((a, b) => b.dur - a.dur).slice(0, top)) {
  console.log(`${(n.dur / 1000).toFixed(1).padStart(7)} ms  ${n.name.replace('_kernel_time', '')}  ${JSON.stringify(n.args.output_type_shape ?? '')}`);
}
