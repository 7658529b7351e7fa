/**
 * `npx tsx bench/profile-summary.ts FILE.json [TOP]`: time per phase, per op type (per phase when
 * the nodes are named by phase) and the slowest nodes of the last run in an ONNX Runtime profile,
 * e.g. one written by `npm run bench -- --profile`.
 */
import { summarizeProfile } from './profile.js';

const [file, topArg] = process.argv.slice(2);
if (file === undefined || file === '--help') {
  console.log('usage: tsx bench/profile-summary.ts PROFILE.json [TOP]');
  process.exit(file === undefined ? 1 : 0);
}
const s = summarizeProfile(file);
console.log(`runs (ms): ${s.runsMs.map((r) => r.toFixed(0)).join(', ')}; last run's kernels: ${s.kernelMs.toFixed(0)} ms`);
const phases = Object.entries(s.phases);
if (phases.length > 0) {
  console.log(`phases: ${phases.map(([p, ms]) => `${p} ${ms.toFixed(1)} ms`).join(', ')}`);
}
for (const v of s.ops) {
  console.log(`${v.op.padEnd(28)} ${v.ms.toFixed(1).padStart(8)} ms ${String(v.count).padStart(5)} nodes ${((100 * v.ms) / s.kernelMs).toFixed(1).padStart(5)} %`);
}
for (const n of s.nodes.slice(0, Number(topArg ?? 0))) {
  console.log(`${n.ms.toFixed(1).padStart(7)} ms  ${n.name}  ${JSON.stringify(n.shape)}`);
}
