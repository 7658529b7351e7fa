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

/** Reads a YAML configuration file into a layer whose keys carry `file:line` sources. */
export async function readYamlLayer(file: string): Promise<Layer> {
  return parseYamlLayer(await readFile(file, 'utf8'), displayPath(file));
}

/** Parses YAML text (named `label` in messages) into a layer; the root must be a mapping. */
export function parseYamlLayer(text: string, label: string): Layer {
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
  collectOrigins(doc.contents, [], { label, lineCounter, origins });
  return { values: values satisfies Tree, origins, fallback: label };
}

interface OriginContext {
  readonly label: string;
  readonly lineCounter: LineCounter;
  readonly origins: Record<string, string>;
}

function collectOrigins(node: YamlNode | null, prefix: readonly string[], context: OriginContext): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string') {
      const line = isScalar(key) && key.range ? context.lineCounter.linePos(key.range[0]).line : 0;
      throw configError(prefix.join('.'), `${context.label}:${line}`, 'keys must be plain strings');
    }
    const path = [...prefix, key.value];
    const offset = key.range?.[0] ?? 0;
    context.origins[path.join('.')] = `${context.label}:${context.lineCounter.linePos(offset).line}`;
    collectOrigins(pair.value as YamlNode | null, path, context);
  }
}
