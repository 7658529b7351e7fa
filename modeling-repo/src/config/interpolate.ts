import { ConfigError, type ConfigIssue } from './errors.js';
import { isPlainObject, sourceOf, type Merged, type Tree } from './overrides.js';

/**
 * OmegaConf-style environment interpolation in string values: `${oc.env:VAR}` and
 * `${oc.env:VAR,default}`. An unset or empty variable takes the default (as the shell's
 * `${VAR:-default}` does); `\${` is a literal `${`. Pure: the environment is passed in.
 */

export type Env = Readonly<Record<string, string | undefined>>;

const EXPRESSION = /\\\$\{|\$\{([^}]*)\}/g;
const ENV_RESOLVER = /^oc\.env:([A-Za-z_]\w*)(?:,(.*))?$/s;

interface Resolution {
  readonly text: string;
  readonly used: readonly string[];
}

/** Resolves every interpolation in the tree; sources note which variables were read. */
export function interpolate(merged: Merged, env: Env): Merged {
  const issues: ConfigIssue[] = [];
  const sources = { ...merged.sources };
  const resolveLeaf = (value: string, dotted: string): string => {
    try {
      const resolution = resolveString(value, env);
      if (resolution.used.length > 0) {
        sources[dotted] = `${sourceOf(merged, dotted)} (${resolution.used.map((name) => `$${name}`).join(', ')} from the environment)`;
      }
      return resolution.text;
    } catch (error) {
      issues.push({ key: dotted, source: sourceOf(merged, dotted), message: error instanceof Error ? error.message : String(error) });
      return value;
    }
  };
  const tree = mapStrings(merged.tree, [], resolveLeaf);
  if (issues.length > 0) throw new ConfigError(issues);
  return { tree, sources };
}

/** Resolves the interpolations in one string; throws a plain Error describing a bad expression. */
export function resolveString(value: string, env: Env): Resolution {
  const used: string[] = [];
  const text = value.replace(EXPRESSION, (whole: string, body: string | undefined) => {
    if (body === undefined) return '${';
    const match = ENV_RESOLVER.exec(body.trim());
    if (match === null) {
      throw new Error(`unsupported interpolation '${whole}': only \${oc.env:VAR} and \${oc.env:VAR,default} are supported`);
    }
    const name = match[1] ?? '';
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') {
      used.push(name);
      return fromEnv;
    }
    if (match[2] === undefined) throw new Error(`environment variable ${name} is not set and '${whole}' gives no default`);
    return unquote(match[2].trim());
  });
  return { text, used };
}

function unquote(text: string): string {
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  return quoted === null ? text : (quoted[2] ?? '');
}

type LeafFn = (value: string, dotted: string) => string;

function mapStrings(tree: Tree, prefix: readonly string[], fn: LeafFn): Tree {
  return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, mapValue(value, [...prefix, key], fn)]));
}

function mapValue(value: unknown, path: readonly string[], fn: LeafFn): unknown {
  const dotted = path.join('.');
  if (typeof value === 'string') return fn(value, dotted);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? fn(item, dotted) : item));
  if (isPlainObject(value)) return mapStrings(value, path, fn);
  return value;
}
