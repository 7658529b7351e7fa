import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { configError } from './errors.js';
import { isPlainObject, type Layer, type Tree } from './overrides.js';

/** A path as users should see it in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export interface YamlLayerOptions {
  /**
   * Take a value's trailing comment as its source, as `configToYaml` writes them, so a saved
   * run configuration keeps saying where each value originally came from.
   */
  readonly sourcesFromComments?: boolean;
}

/** Reads a YAML configuration file into a layer whose keys carry `file:line` sources. */
export async function readYamlLayer(file: string, options: YamlLayerOptions = {}): Promise<Layer> {
  return parseYamlLayer(await readFile(file, 'utf8'), displayPath(file), options);
}

/** Parses YAML text (named `label` in messages) into a layer; the root must be a mapping. */
export function parseYamlLayer(text: string, label: string, options: YamlLayerOptions = {}): Layer {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw configError('', `${label}:${line}`, `not valid YAML: ${firstError.message.split('\n')[0] ?? ''}`);
  }
  const values: unknown = doc.toJS();
  if (values === null || values === undefined) return { values: {}, origins: {}, fallback: label };
  if (!isPlainObject(values)) throw configError('', label, 'the top level must be a mapping of keys');
  const origins: Record<string, string> = {};
  collectOrigins(doc.contents, [], { label, lineCounter, origins, fromComments: options.sourcesFromComments === true });
  return { values: values satisfies Tree, origins, fallback: label };
}

interface OriginContext {
  readonly label: string;
  readonly lineCounter: LineCounter;
  readonly origins: Record<string, string>;
  readonly fromComments: boolean;
}

function collectOrigins(node: YamlNode | null, prefix: readonly string[], context: OriginContext): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const path = [...prefix, keyName(pair.key, prefix, context)];
    const value = pair.value as YamlNode | null;
    context.origins[path.join('.')] = savedSource(value, context) ?? `${context.label}:${lineOf(pair.key, context)}`;
    collectOrigins(value, path, context);
  }
}

function lineOf(node: unknown, context: OriginContext): number {
  return isScalar(node) && node.range ? context.lineCounter.linePos(node.range[0]).line : 0;
}

function keyName(key: unknown, prefix: readonly string[], context: OriginContext): string {
  if (isScalar(key) && typeof key.value === 'string') return key.value;
  throw configError(prefix.join('.'), `${context.label}:${lineOf(key, context)}`, 'keys must be plain strings');
}

/** The source a saved configuration recorded as the value's trailing comment, if wanted and present. */
function savedSource(value: YamlNode | null, context: OriginContext): string | undefined {
  if (!context.fromComments || value === null || isMap(value)) return undefined;
  const comment = value.comment?.trim();
  return comment === undefined || comment === '' ? undefined : comment;
}
