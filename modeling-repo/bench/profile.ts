/**
 * Reads an ONNX Runtime profile (the JSON `enableProfiling` writes): time per op type, per phase
 * (training graphs name their nodes `forward/…`, `backward/…`, `optimizer/…`) and per node, for
 * the last run in the file.
 */
import { readFileSync } from 'node:fs';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args: { op_name?: string; output_type_shape?: unknown };
}

export interface OpTime {
  readonly op: string;
  readonly ms: number;
  readonly count: number;
}

export interface NodeTime {
  readonly name: string;
  readonly ms: number;
  readonly shape: unknown;
}

export interface ProfileSummary {
  /** Wall time of each run in the file (warm-up runs first). */
  readonly runsMs: readonly number[];
  /** Kernel time of the last run. */
  readonly kernelMs: number;
  /** Kernel time of the last run per phase (empty for graphs without phase names). */
  readonly phases: Readonly<Record<string, number>>;
  /** Op types by kernel time, slowest first; `phase op` keys when nodes are named by phase. */
  readonly ops: readonly OpTime[];
  readonly byType: readonly OpTime[];
  readonly nodes: readonly NodeTime[];
}

const PHASE = /^(forward|backward|optimizer)\//;

function sorted(map: Map<string, { ms: number; count: number }>): OpTime[] {
  return [...map].map(([op, v]) => ({ op, ...v })).sort((a, b) => b.ms - a.ms);
}

function add(map: Map<string, { ms: number; count: number }>, key: string, ms: number): void {
  const entry = map.get(key) ?? { ms: 0, count: 0 };
  entry.ms += ms;
  entry.count += 1;
  map.set(key, entry);
}

export function summarizeProfile(file: string): ProfileSummary {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const last = runs.at(-1);
  if (last === undefined) {
    throw new Error(`${file}: no model_run events`);
  }
  // A Scan's own time holds its body's nodes, which are listed too (the multi-step training model).
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args.op_name !== 'Scan' && e.ts >= last.ts && e.ts <= last.ts + last.dur);
  const ops = new Map<string, { ms: number; count: number }>();
  const byType = new Map<string, { ms: number; count: number }>();
  const phases: Record<string, number> = {};
  for (const n of nodes) {
    const phase = PHASE.exec(n.name)?.[1];
    const ms = n.dur / 1000;
    const op = n.args.op_name ?? '?';
    add(ops, phase === undefined ? op : `${phase} ${op}`, ms);
    add(byType, op, ms);
    if (phase !== undefined) {
      phases[phase] = (phases[phase] ?? 0) + ms;
    }
  }
  return {
    runsMs: runs.map((r) => r.dur / 1000),
    kernelMs: nodes.reduce((s, n) => s + n.dur / 1000, 0),
    phases,
    ops: sorted(ops),
    byType: sorted(byType),
    nodes: nodes.map((n) => ({ name: n.name.replace('_kernel_time', ''), ms: n.dur / 1000, shape: n.args.output_type_shape ?? '' })).sort((a, b) => b.ms - a.ms),
  };
}
