import { parse as parseYaml } from 'yaml';
import { ConfigError, configError, type ConfigIssue } from './errors.js';
import { isSection, schemaAt } from './schema.js';
import { suggestKey } from './suggest.js';

/**
 * The pure part of configuration loading: merging layers (defaults, experiment file, command
 * line) while remembering where every key's value came from. No file system, clock or
 * environment here; `load.ts` reads the files and passes their contents in.
 */

export type Tree = Record<string, unknown>;

/** A merged configuration and, per dotted key, where its value came from. */
export interface Merged {
  readonly tree: Tree;
  readonly sources: Readonly<Record<string, string>>;
}

/** One configuration layer, e.g. a parsed YAML file, with the source of each dotted key. */
export interface Layer {
  readonly values: Tree;
  /** Source per dotted key (`file.yaml:12`); keys missing here get `fallback`. */
  readonly origins: Readonly<Record<string, string>>;
  readonly fallback: string;
}

/** Hydra's override grammar: `key=v` sets, `+key=v` adds, `++key=v` adds or sets, `~key` deletes. */
export type OverrideOp = 'set' | 'add' | 'force' | 'delete';

export interface Override {
  readonly op: OverrideOp;
  readonly path: readonly string[];
  /** Present for set/add/force, and for `~key=value` (delete only when the value matches). */
  readonly value?: unknown;
  /** The argument as typed, used as the source of the keys it sets. */
  readonly source: string;
}

const OVERRIDE_PATTERN = /^(~|\+\+|\+)?([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)(?:=(.*))?$/s;
const OPS: Readonly<Record<string, OverrideOp>> = { '': 'set', '+': 'add', '++': 'force', '~': 'delete' };

export function emptyMerged(): Merged {
  return { tree: {}, sources: {} };
}

export function isPlainObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function commandLineSource(arg: string): string {
  return `command line '${arg}'`;
}

/** Merges a layer over `base`: mappings merge key by key, lists and scalars replace. */
export function mergeLayer(base: Merged, layer: Layer): Merged {
  const tree = structuredClone(base.tree);
  const sources = { ...base.sources };
  const issues: ConfigIssue[] = [];
  const originOf = (dotted: string): string => layer.origins[dotted] ?? layer.fallback;
  mergeInto({ tree, sources, issues, originOf }, layer.values, []);
  if (issues.length > 0) throw new ConfigError(issues);
  return { tree, sources };
}

interface MergeState {
  readonly tree: Tree;
  readonly sources: Record<string, string>;
  readonly issues: ConfigIssue[];
  readonly originOf: (dotted: string) => string;
}

function mergeInto(state: MergeState, values: Tree, prefix: readonly string[]): void {
  for (const [key, value] of Object.entries(values)) {
    const path = [...prefix, key];
    const dotted = path.join('.');
    const schema = schemaAt(path);
    if (schema === undefined) {
      state.issues.push({ key: dotted, source: state.originOf(dotted), message: `unknown key${suggestKey(path)}` });
    } else if (!isSection(schema)) {
      setAt(state.tree, path, structuredClone(value));
      state.sources[dotted] = state.originOf(dotted);
    } else if (isPlainObject(value)) {
      ensureSection(state.tree, path);
      mergeInto(state, value, path);
    } else if (value !== null) {
      // A bare `section:` line parses as null and means "nothing to change here".
      state.issues.push({ key: dotted, source: state.originOf(dotted), message: `is a section; expected a mapping of its keys, got ${describe(value)}` });
    }
  }
}

/** Parses one `key=value` style argument. Values are YAML: `3`, `0.5`, `true`, `[a, b]`, `null`. */
export function parseOverride(arg: string): Override {
  const source = commandLineSource(arg);
  const match = OVERRIDE_PATTERN.exec(arg);
  if (match === null) {
    throw configError('', source, "expected key=value with a dotted key (e.g. train.epochs=3), or +key=value, ++key=value, ~key");
  }
  const op = OPS[match[1] ?? ''] ?? 'set';
  const path = (match[2] ?? '').split('.');
  const text = match[3];
  if (text === undefined) {
    if (op !== 'delete') throw configError(path.join('.'), source, `missing '=value' (write ${arg}=VALUE)`);
    return { op, path, source };
  }
  return { op, path, value: parseValue(text, path.join('.'), source), source };
}

/** An empty value is the empty string (as in Hydra); anything else is read as a YAML value. */
export function parseValue(text: string, key: string, source: string): unknown {
  if (text.trim() === '') return '';
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw configError(key, source, `cannot read the value as YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Applies command-line overrides in order; each must name a key the schema has. */
export function applyOverrides(base: Merged, args: readonly string[]): Merged {
  return args.map(parseOverride).reduce(applyOverride, base);
}

export function applyOverride(base: Merged, override: Override): Merged {
  const dotted = override.path.join('.');
  const schema = schemaAt(override.path);
  if (schema === undefined) throw configError(dotted, override.source, `unknown key${suggestKey(override.path)}`);
  const present = getAt(base.tree, override.path) !== undefined;
  if (override.op === 'delete') return deleteOverride(base, override, present);
  if (override.op === 'set' && !present) {
    throw configError(dotted, override.source, `is not set in the configuration; use '+${dotted}=...' to add it`);
  }
  if (override.op === 'add' && present) {
    throw configError(dotted, override.source, `is already set (from ${sourceOf(base, dotted)}); use '${dotted}=...' to change it or '++${dotted}=...'`);
  }
  const parent = override.path.slice(0, -1);
  const key = override.path[override.path.length - 1] ?? '';
  const layer: Layer = { values: nest(parent, { [key]: override.value }), origins: {}, fallback: override.source };
  // A mapping given for a section merges into it, like a mapping in an experiment file.
  return mergeLayer(base, layer);
}

function deleteOverride(base: Merged, override: Override, present: boolean): Merged {
  const dotted = override.path.join('.');
  if (!present) throw configError(dotted, override.source, 'cannot delete a key that is not set');
  const current = getAt(base.tree, override.path);
  if ('value' in override && JSON.stringify(current) !== JSON.stringify(override.value)) {
    throw configError(dotted, override.source, `not deleted: its value is ${describe(current)}, not ${describe(override.value)}`);
  }
  return deleteSubtree(base, override.path);
}

function deleteSubtree(base: Merged, path: readonly string[]): Merged {
  const tree = structuredClone(base.tree);
  const parent = getAt(tree, path.slice(0, -1));
  if (isPlainObject(parent)) Reflect.deleteProperty(parent, path[path.length - 1] ?? '');
  const dotted = path.join('.');
  const sources = Object.fromEntries(
    Object.entries(base.sources).filter(([key]) => key !== dotted && !key.startsWith(`${dotted}.`)),
  );
  return { tree, sources };
}

/** The source of a key, or of the nearest section above it that has one. */
export function sourceOf(merged: Merged, dotted: string): string {
  const parts = dotted.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    const found = merged.sources[parts.slice(0, length).join('.')];
    if (found !== undefined) return found;
  }
  const below = Object.keys(merged.sources).find((key) => key.startsWith(`${dotted}.`));
  return below === undefined ? 'not set by any file or argument' : (merged.sources[below] ?? '');
}

export function getAt(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function setAt(tree: Tree, path: readonly string[], value: unknown): void {
  const parent = ensureSection(tree, path.slice(0, -1));
  parent[path[path.length - 1] ?? ''] = value;
}

function ensureSection(tree: Tree, path: readonly string[]): Tree {
  let node = tree;
  for (const key of path) {
    const next = node[key];
    if (isPlainObject(next)) {
      node = next;
    } else {
      const created: Tree = {};
      node[key] = created;
      node = created;
    }
  }
  return node;
}

function nest(path: readonly string[], leaf: Tree): Tree {
  return path.reduceRight<Tree>((inner, key) => ({ [key]: inner }), leaf);
}

/** A short rendering of a value for messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  const limit = 60;
  return json.length > limit ? `${json.slice(0, limit)}...` : json;
}

/** Freezes a tree and everything in it, so stages cannot change the configuration they were given. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
