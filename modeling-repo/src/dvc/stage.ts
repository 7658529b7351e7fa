import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One output of a stage (`outs`, `metrics` or `plots` of dvc.yaml); `cache: false` ones are not pulled. */
export interface StageOut {
  readonly path: string;
  readonly cache: boolean;
}

/** A dvc.yaml stage with its `${...}` variables substituted, as DVC resolves it before running. */
export interface Stage {
  readonly name: string;
  readonly cmd: string[];
  readonly deps: string[];
  /** Params files whose every key the stage depends on (`- file.yaml:` with no key list). */
  readonly paramsFiles: string[];
  readonly outs: StageOut[];
}

const DVC_YAML = 'dvc.yaml';
type Vars = Readonly<Record<string, unknown>>;

function lookup(vars: Vars, key: string): unknown {
  let value: unknown = vars;
  for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

/** `${key}` (or `${a.b}`) replaced by its value; an undefined variable is an error, as in DVC. */
function substitute(text: string, vars: Vars, where: string): string {
  return text.replace(/\$\{\s*([\w.-]+)\s*\}/g, (_, key: string) => {
    const value = lookup(vars, key);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(`${where}: variable \${${key}} is not defined by the stage's vars files`);
    }
    return String(value);
  });
}

async function loadVars(root: string, files: unknown): Promise<Vars> {
  const merged: Record<string, unknown> = {};
  for (const file of Array.isArray(files) ? files : []) {
    if (typeof file !== 'string') throw new Error(`${DVC_YAML}: vars: only file names are supported, got ${JSON.stringify(file)}`);
    Object.assign(merged, parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>);
  }
  return merged;
}

/** Each entry is `path` or `{ path: { flags } }`; only the `cache` flag matters to the lock and pull. */
function readOuts(entries: unknown): StageOut[] {
  if (!Array.isArray(entries)) return [];
  return entries.map((entry: unknown) => {
    if (typeof entry === 'string') return { path: entry, cache: true };
    const [path, flags] = Object.entries(entry as Record<string, { cache?: unknown } | null>)[0] ?? ['', null];
    return { path, cache: flags?.cache !== false };
  });
}

function readParamsFiles(entries: unknown, where: string): string[] {
  if (!Array.isArray(entries)) return [];
  return entries.map((entry: unknown) => {
    const pairs = typeof entry === 'object' && entry !== null ? Object.entries(entry) : [];
    const [file, keys] = pairs[0] ?? [undefined, undefined];
    if (pairs.length !== 1 || file === undefined || keys !== null) throw new Error(`${where}: params: only whole files ("- file.yaml:") are supported, got ${JSON.stringify(entry)}`);
    return file;
  });
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

/** Reads stage `name` of `root/dvc.yaml`, variables substituted in cmd, deps and outs. */
export async function readStage(root: string, name: string): Promise<Stage> {
  const doc = parse(await readFile(join(root, DVC_YAML), 'utf8')) as { vars?: unknown; stages?: Record<string, Record<string, unknown>> };
  const spec = doc.stages?.[name];
  if (spec === undefined) throw new Error(`${join(root, DVC_YAML)}: no stage "${name}"`);
  const vars = await loadVars(root, doc.vars);
  const where = `${DVC_YAML}: stages.${name}`;
  const put = (text: string): string => substitute(text, vars, where);
  const outs = [...readOuts(spec.outs), ...readOuts(spec.metrics), ...readOuts(spec.plots)];
  return {
    name,
    cmd: stringList(spec.cmd).map(put),
    deps: stringList(spec.deps).map(put),
    paramsFiles: readParamsFiles(spec.params, where),
    outs: outs.map((out) => ({ ...out, path: put(out.path) })),
  };
}
