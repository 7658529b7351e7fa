import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { configError } from './errors.js';
import { interpolate, type Env } from './interpolate.js';
import { displayPath, readYamlLayer } from './load-yaml.js';
import { applyOverrides, emptyMerged, isPlainObject, mergeLayer, type Merged, type Tree } from './overrides.js';
import { PATH_MARK, schemaAt, type Config } from './schema.js';
import { validateConfig } from './validate.js';

export interface LoadConfigOptions {
  /** Folder holding `defaults.yaml` and `exp/NAME.yaml`. */
  readonly configDir: string;
  /** Experiment name: `exp/NAME.yaml` is merged over the defaults. */
  readonly exp?: string;
  /** Command-line overrides applied last, in order (`train.epochs=3`, `+data.synthetic.size=16`). */
  readonly overrides?: readonly string[];
  /** Environment for `${oc.env:...}`; defaults to `process.env`. */
  readonly env?: Env;
  /** Relative paths in path keys resolve against this; defaults to the parent of `configDir`. */
  readonly baseDir?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Per dotted key, where its value came from (`configs/exp/smoke.yaml:7`, `command line '...'`). */
  readonly sources: Readonly<Record<string, string>>;
}

const EXP_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Loads the configuration like Hydra: `defaults.yaml`, then `exp/NAME.yaml`, then command-line
 * overrides; then resolves `${oc.env:...}`, makes paths absolute and validates against the schema.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const configDir = resolve(options.configDir);
  const defaultsFile = join(configDir, 'defaults.yaml');
  if (!existsSync(defaultsFile)) throw configError('', displayPath(defaultsFile), 'configuration defaults not found');
  let merged = mergeLayer(emptyMerged(), await readYamlLayer(defaultsFile));
  if (options.exp !== undefined) merged = await mergeExperiment(merged, configDir, options.exp);
  return finish(merged, options.overrides ?? [], options.env ?? process.env, options.baseDir ?? dirname(configDir));
}

/**
 * Loads a complete configuration saved with a run (`config.yaml`), with optional overrides, for
 * resuming or re-evaluating a run exactly as it was configured. Sources saved as comments by
 * `configToYaml` are kept; values without one get `config.yaml:LINE`.
 */
export async function loadSavedConfig(file: string, overrides: readonly string[] = [], env: Env = process.env): Promise<LoadedConfig> {
  if (!existsSync(file)) throw configError('', displayPath(file), 'saved configuration not found');
  const merged = mergeLayer(emptyMerged(), await readYamlLayer(file, { sourcesFromComments: true }));
  return finish(merged, overrides, env, dirname(resolve(file)));
}

function finish(merged: Merged, overrides: readonly string[], env: Env, baseDir: string): LoadedConfig {
  const interpolated = interpolate(applyOverrides(merged, overrides), env);
  const resolved: Merged = { tree: resolvePaths(interpolated.tree, [], baseDir), sources: interpolated.sources };
  const config = validateConfig(resolved);
  return { config, sources: Object.freeze({ ...resolved.sources }) };
}

async function mergeExperiment(merged: Merged, configDir: string, exp: string): Promise<Merged> {
  const source = `command line 'exp=${exp}'`;
  if (!EXP_NAME.test(exp)) throw configError('', source, 'experiment names use letters, digits, _ . - only');
  const file = join(configDir, 'exp', `${exp}.yaml`);
  if (!existsSync(file)) {
    const available = await listExperiments(configDir);
    const list = available.length > 0 ? available.join(', ') : 'none';
    throw configError('', source, `experiment file ${displayPath(file)} not found; available experiments: ${list}`);
  }
  // The experiment's name defaults to the file's name; the file itself may still set it.
  const named = mergeLayer(merged, { values: { experiment: exp }, origins: {}, fallback: source });
  return mergeLayer(named, await readYamlLayer(file));
}

/** Names of the experiment files in `configDir/exp`, sorted. */
export async function listExperiments(configDir: string): Promise<string[]> {
  const folder = join(configDir, 'exp');
  if (!existsSync(folder)) return [];
  const files = await readdir(folder);
  return files.filter((name) => name.endsWith('.yaml')).map((name) => name.slice(0, -'.yaml'.length)).sort();
}

/** Makes the values of path keys absolute; empty strings (meaning "not set") stay empty. */
function resolvePaths(tree: Tree, prefix: readonly string[], baseDir: string): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = [...prefix, key];
    if (isPlainObject(value)) {
      out[key] = resolvePaths(value, path, baseDir);
    } else {
      out[key] = isPathKey(path) ? resolveValue(value, baseDir) : value;
    }
  }
  return out;
}

function isPathKey(path: readonly string[]): boolean {
  const schema = schemaAt(path) as Record<string, unknown> | undefined;
  const items = schema?.items as Record<string, unknown> | undefined;
  return schema?.[PATH_MARK] === true || items?.[PATH_MARK] === true;
}

function resolveValue(value: unknown, baseDir: string): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => resolveValue(item, baseDir));
  if (typeof value !== 'string' || value === '' || isAbsolute(value)) return value;
  return resolve(baseDir, value);
}
