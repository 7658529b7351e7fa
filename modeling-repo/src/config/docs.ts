import type { TSchema } from '@sinclair/typebox';
import { PATH_MARK, leafPaths, schemaAt } from './schema.js';

/**
 * The configuration reference (`docs/config.md`) generated from `configs/defaults.yaml`, whose
 * comments are the source of truth, and the schema, which gives each key's type. A test fails
 * when the committed table and this output differ, so the two cannot drift apart.
 */

export interface KeyDoc {
  readonly key: string;
  readonly defaultText: string;
  readonly description: string;
}

const KEY_LINE = /^( *)(#\s*)?([A-Za-z_]\w*):(?:\s+(.*))?$/;
const COMMENT_LINE = /^\s*#\s?(.*)$/;

interface KeyLine {
  readonly indent: number;
  readonly name: string;
  /** Absent for a section header (`data:`). */
  readonly value?: string;
  /** A schema key written as a comment (`# size: 32`): optional, unset by default. */
  readonly commented: boolean;
}

interface Frame {
  readonly indent: number;
  readonly key: string;
}

/** A key line of the defaults file, or undefined for comments, blank lines and prose. */
function keyLine(line: string, stack: readonly Frame[]): KeyLine | undefined {
  const match = KEY_LINE.exec(line);
  if (match === null) return undefined;
  const indent = (match[1] ?? '').length;
  const name = match[3] ?? '';
  const commented = match[2] !== undefined;
  // Prose such as "# Backbone: ..." looks like a commented key; only real schema keys count.
  const parents = stack.filter((frame) => frame.indent < indent).map((frame) => frame.key);
  if (commented && schemaAt([...parents, name]) === undefined) return undefined;
  const value = match[4] === undefined || match[4] === '' ? undefined : stripTrailingComment(match[4]);
  return value === undefined ? { indent, name, commented } : { indent, name, value, commented };
}

/** Keys of the defaults file with their default (as written) and the comment lines just above. */
export function extractKeyDocs(defaultsText: string): KeyDoc[] {
  const docs: KeyDoc[] = [];
  const stack: Frame[] = [];
  let comment: string[] = [];
  for (const line of defaultsText.split('\n')) {
    const entry = keyLine(line, stack);
    if (entry === undefined) {
      const text = COMMENT_LINE.exec(line);
      comment = text === null ? [] : [...comment, text[1] ?? ''];
      continue;
    }
    while ((stack.at(-1)?.indent ?? -1) >= entry.indent) stack.pop();
    const key = [...stack.map((frame) => frame.key), entry.name].join('.');
    if (entry.value === undefined) stack.push({ indent: entry.indent, key: entry.name });
    else docs.push({ key, defaultText: entry.commented ? 'unset' : entry.value, description: comment.join(' ') });
    comment = [];
  }
  return docs;
}

function stripTrailingComment(value: string): string {
  return value.replace(/\s+#.*$/, '');
}

interface SchemaShape {
  readonly const?: unknown;
  readonly type?: string;
  readonly anyOf?: readonly TSchema[];
  readonly items?: TSchema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly [PATH_MARK]?: boolean;
}

function bounds(shape: SchemaShape): string {
  const low = shape.minimum !== undefined ? `≥ ${shape.minimum}` : shape.exclusiveMinimum !== undefined ? `> ${shape.exclusiveMinimum}` : '';
  const high = shape.maximum !== undefined ? `≤ ${shape.maximum}` : shape.exclusiveMaximum !== undefined ? `< ${shape.exclusiveMaximum}` : '';
  return [low, high].filter((part) => part !== '').join(', ');
}

/** A compact type for the reference table: `integer ≥ 1`, `cpu | webgpu | cuda`, `list of paths`. */
export function typeName(schema: TSchema): string {
  const shape = schema as SchemaShape;
  if (typeof shape.const === 'string' || typeof shape.const === 'number') return String(shape.const);
  if (shape.anyOf !== undefined) return shape.anyOf.map(typeName).filter((name) => name !== '').join(' | ');
  if (shape.items !== undefined) {
    const item = typeName(shape.items);
    return item === 'path' ? 'list of paths' : `list of (${item})`;
  }
  if (shape[PATH_MARK] === true) return 'path';
  const range = bounds(shape);
  return range === '' ? (shape.type ?? 'value') : `${shape.type ?? 'value'} ${range}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The Markdown page: one table row per configuration key, in the order of the defaults file. */
export function renderConfigDocs(defaultsText: string): string {
  const docs = new Map(extractKeyDocs(defaultsText).map((doc) => [doc.key, doc]));
  const rows = leafPaths().map((key) => {
    const doc = docs.get(key);
    const schema = schemaAt(key.split('.'));
    const type = schema === undefined ? '' : typeName(schema);
    return `| \`${key}\` | ${cell(type)} | \`${cell(doc?.defaultText ?? 'unset')}\` | ${cell(doc?.description ?? '')} |`;
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from configs/defaults.yaml and src/config/schema.ts by `npx tsx src/config/write-docs.ts`; edit those, not this file. -->',
    '',
    'Training reads `configs/defaults.yaml`, then the experiment `configs/exp/NAME.yaml` chosen with `exp=NAME`,',
    'then `key=value` arguments, each overriding the one before:',
    '',
    '```sh',
    'npm run train -- exp=baseline train.epochs=3 train.lr=5e-4 "data.sources=[/data/train-jpg]"',
    '```',
    '',
    'Command-line syntax (Hydra\'s): `key=value` changes a key that is set; `+key=value` adds an optional key that is',
    'not set (such as `data.synthetic.size`); `++key=value` adds or changes; `~key` removes an optional key. Values',
    'are YAML: `3`, `1e-3`, `true`, `[a, b]`, `{patience: 5}` (a mapping merges into a section); `key=` is the empty',
    'string. `${oc.env:VAR,default}` in a value reads an environment variable, falling back to `default` when it is',
    'unset or empty. Relative paths are relative to the package root (`modeling-repo/`).',
    '',
    'An unknown key, a wrong type or a value out of range stops the command with a message naming the key and the',
    'file line or argument it came from, e.g.',
    '`config key \'train.epohcs\' (from command line \'train.epohcs=3\'): unknown key; did you mean \'train.epochs\'?`.',
    'Each run saves the resolved configuration as `config.yaml` in its run folder, every value annotated with its source.',
    '',
    '| key | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
