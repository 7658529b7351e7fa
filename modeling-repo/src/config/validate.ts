import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { ConfigError, type ConfigIssue } from './errors.js';
import { deepFreeze, describe, sourceOf, type Merged } from './overrides.js';
import { ConfigSchema, type Config } from './schema.js';
import { suggestKey } from './suggest.js';

/** Errors that mean "the value has the wrong kind", reported as "expected X, got Y". */
const KIND_ERRORS = new Set<ValueErrorType>([
  ValueErrorType.Array, ValueErrorType.Boolean, ValueErrorType.Integer, ValueErrorType.Literal,
  ValueErrorType.Number, ValueErrorType.Object, ValueErrorType.String, ValueErrorType.Union,
]);

/**
 * Checks the merged tree against the schema and returns it frozen and typed. Every problem is
 * reported at once, each naming its key and the file line or argument the value came from.
 */
export function validateConfig(merged: Merged): Config {
  const issues = collectIssues(merged);
  if (issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(structuredClone(merged.tree)) as unknown as Config;
}

function collectIssues(merged: Merged): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of Value.Errors(ConfigSchema, merged.tree)) {
    // A union reports once per failed branch; the first message per key is the useful one.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    issues.push(toIssue(refine(error), merged));
  }
  return issues;
}

/**
 * A union only says "no branch matched". When the value is a list and one branch is a list
 * schema, the first bad item is the useful thing to report (`dihedral[1]: ... got "spin"`).
 */
function refine(error: ValueError): ValueError {
  const branches = (error.schema as SchemaShape).anyOf;
  if (error.type !== ValueErrorType.Union || !Array.isArray(error.value) || branches === undefined) return error;
  const listBranch = branches.find((branch) => (branch as SchemaShape).items !== undefined);
  const inner = listBranch === undefined ? undefined : Value.Errors(listBranch, error.value).First();
  return inner === undefined ? error : { ...inner, path: `${error.path}${inner.path}` };
}

function toIssue(error: ValueError, merged: Merged): ConfigIssue {
  const segments = error.path.split('/').slice(1);
  const keyPath = segments.filter((segment) => !/^\d+$/.test(segment));
  const dotted = keyPath.join('.');
  const key = segments.reduce((text, segment) => {
    if (/^\d+$/.test(segment)) return `${text}[${segment}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
  const source = sourceOf(merged, dotted);
  return { key, source, message: messageFor(error, keyPath) };
}

function messageFor(error: ValueError, keyPath: readonly string[]): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return `unknown key${suggestKey(keyPath)}`;
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required but not set';
    default:
      if (KIND_ERRORS.has(error.type)) return `expected ${describeSchema(error.schema)}, got ${describe(error.value)}`;
      return `${lowerFirst(error.message)}, got ${describe(error.value)}`;
  }
}

interface SchemaShape {
  readonly const?: unknown;
  readonly type?: string;
  readonly anyOf?: readonly TSchema[];
  readonly items?: TSchema;
}

/** Plain words for a schema node: `one of "cpu", "webgpu", "cuda"`, `a list of ...`. */
function describeSchema(schema: TSchema): string {
  const shape = schema as SchemaShape;
  if (shape.const !== undefined) return JSON.stringify(shape.const);
  if (shape.anyOf !== undefined) {
    const parts = shape.anyOf.map(describeSchema);
    if (parts.length > 2) return `one of ${parts.join(', ')}`;
    return parts.some((part) => part.includes(' or ')) ? parts.join(', or ') : parts.join(' or ');
  }
  if (shape.items !== undefined) return `a list of (${describeSchema(shape.items)})`;
  const words: Readonly<Record<string, string>> = {
    boolean: 'true or false', integer: 'an integer', number: 'a number', string: 'a string', object: 'a mapping',
  };
  return words[shape.type ?? ''] ?? 'a valid value';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
