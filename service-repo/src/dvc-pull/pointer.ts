import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { isMd5 } from './md5.js';

/** One entry of a `.dvc` file's `outs` list: a single file tracked by md5 (DVC 3). */
export interface DvcOut {
  readonly md5: string;
  readonly size: number;
  /** Relative to the folder holding the `.dvc` file, with forward slashes. */
  readonly path: string;
}

/** A bad pointer file: the message names the file, the line when known, and the field. */
class PointerError extends Error {
  constructor(file: string, line: number | undefined, field: string, problem: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${field}: ${problem}`);
    this.name = 'PointerError';
  }
}

interface FieldReader {
  readonly file: string;
  readonly lines: LineCounter;
}

function lineOf(reader: FieldReader, node: Node | null | undefined): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : reader.lines.linePos(start).line;
}

interface OutFields {
  readonly reader: FieldReader;
  readonly item: YAMLMap;
  readonly field: string;
}

function fail(fields: OutFields, key: string, problem: string): never {
  const node = fields.item.get(key, true) as Node | undefined;
  throw new PointerError(fields.reader.file, lineOf(fields.reader, node) ?? lineOf(fields.reader, fields.item), `${fields.field}.${key}`, problem);
}

function readMd5(fields: OutFields): string {
  const md5 = fields.item.get('md5');
  if (typeof md5 === 'string' && isMd5(md5)) return md5;
  const hint = typeof md5 === 'string' && md5.endsWith('.dir') ? 'directory outputs are not supported; track single files' : 'expected 32 lowercase hex digits';
  return fail(fields, 'md5', `${hint}, got ${JSON.stringify(md5)}`);
}

function readSize(fields: OutFields): number {
  const size = fields.item.get('size');
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) return size;
  return fail(fields, 'size', `expected a byte count, got ${JSON.stringify(size)}`);
}

function readPath(fields: OutFields): string {
  const path = fields.item.get('path');
  if (typeof path === 'string' && path !== '' && !path.startsWith('/') && !path.split('/').includes('..')) return path;
  return fail(fields, 'path', `expected a relative path inside the pointer's folder, got ${JSON.stringify(path)}`);
}

function readOut(reader: FieldReader, item: unknown, index: number): DvcOut {
  const field = `outs[${index}]`;
  if (!isMap(item)) {
    throw new PointerError(reader.file, lineOf(reader, item as Node), field, 'expected a mapping with md5, size, hash and path');
  }
  const fields: OutFields = { reader, item, field };
  const hash = item.get('hash');
  // DVC 3 marks plain-md5 outputs with `hash: md5`; DVC 2 files (no `hash`) used the same md5 for binary files.
  if (hash !== undefined && hash !== 'md5') fail(fields, 'hash', `only "md5" is supported, got ${JSON.stringify(hash)}`);
  return { md5: readMd5(fields), size: readSize(fields), path: readPath(fields) };
}

/** Parses the text of a `.dvc` pointer file; `file` is only used in error messages. */
export function parsePointer(text: string, file: string): DvcOut[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = lines.linePos(first.pos[0]).line;
    throw new PointerError(file, line, 'yaml', first.message.split('\n')[0] ?? 'invalid YAML');
  }
  const reader: FieldReader = { file, lines };
  const outs = doc.get('outs', true);
  if (!isSeq(outs) || outs.items.length === 0) {
    throw new PointerError(file, lineOf(reader, outs as Node | undefined), 'outs', 'expected a non-empty list');
  }
  return outs.items.map((item, index) => readOut(reader, item, index));
}

/** Reads and parses a pointer file from disk. */
export async function readPointer(file: string): Promise<DvcOut[]> {
  return parsePointer(await readFile(file, 'utf8'), file);
}
