/**
 * The part of HOCON that clearml.conf files use: nested `{}` objects, `key: value`, `key = value`
 * and `key { ... }`, dotted keys, quoted and unquoted strings (URLs included), lists, `#` and `//`
 * comments. Substitutions (`${...}`) are kept as text. Enough to read `api { ... }` reliably.
 */
export type HoconValue = string | number | boolean | null | HoconValue[] | HoconObject;
export interface HoconObject {
  [key: string]: HoconValue;
}

/** A syntax error, naming the file and line. */
export class HoconError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'HoconError';
  }
}

const KEY_CHAR = /[A-Za-z0-9_.-]/;
const BLANK = new Set([' ', '\t', '\r']);
const SEPARATOR = new Set(['\n', ',']);
const VALUE_END = new Set([',', '}', ']', '\n']);

class Reader {
  position = 0;
  constructor(readonly text: string, readonly file: string) {}

  get line(): number {
    return this.text.slice(0, this.position).split('\n').length;
  }

  peek(offset = 0): string {
    return this.text[this.position + offset] ?? '';
  }

  fail(problem: string): never {
    throw new HoconError(this.file, this.line, problem);
  }

  /** Skips spaces, tabs and comments; newlines and commas too when `separators` is set. */
  skip(separators: boolean): void {
    for (;;) {
      const char = this.peek();
      if (BLANK.has(char) || (separators && SEPARATOR.has(char))) {
        this.position += 1;
      } else if (char === '#' || (char === '/' && this.peek(1) === '/')) {
        while (this.peek() !== '' && this.peek() !== '\n') this.position += 1;
      } else {
        return;
      }
    }
  }
}

function readQuoted(reader: Reader): string {
  if (reader.text.startsWith('"""', reader.position)) {
    const end = reader.text.indexOf('"""', reader.position + 3);
    if (end < 0) reader.fail('unterminated """ string');
    const value = reader.text.slice(reader.position + 3, end);
    reader.position = end + 3;
    return value;
  }
  const match = /^"(?:[^"\\\n]|\\.)*"/.exec(reader.text.slice(reader.position));
  if (match === null) reader.fail('unterminated string');
  reader.position += match[0].length;
  return JSON.parse(match[0]) as string;
}

function readKey(reader: Reader): string[] {
  if (reader.peek() === '"') return [readQuoted(reader)];
  const start = reader.position;
  while (KEY_CHAR.test(reader.peek())) reader.position += 1;
  if (reader.position === start) reader.fail(`expected a key, found ${JSON.stringify(reader.peek())}`);
  return reader.text.slice(start, reader.position).split('.');
}

/** An unquoted value runs to the end of the line, a comma or a closing bracket; `#` or `//` after a space starts a comment. */
function readUnquoted(reader: Reader): HoconValue {
  const start = reader.position;
  while (reader.peek() !== '' && !VALUE_END.has(reader.peek())) {
    const commentAhead = /\s/.test(reader.peek()) && (reader.peek(1) === '#' || (reader.peek(1) === '/' && reader.peek(2) === '/'));
    if (commentAhead) break;
    reader.position += 1;
  }
  const raw = reader.text.slice(start, reader.position).trim();
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function readList(reader: Reader): HoconValue[] {
  reader.position += 1;
  const items: HoconValue[] = [];
  for (;;) {
    reader.skip(true);
    if (reader.peek() === ']') {
      reader.position += 1;
      return items;
    }
    if (reader.peek() === '') reader.fail('unterminated list');
    items.push(readValue(reader));
  }
}

function readValue(reader: Reader): HoconValue {
  const char = reader.peek();
  if (char === '{') {
    reader.position += 1;
    return readFields(reader, '}');
  }
  if (char === '[') return readList(reader);
  if (char === '"') return readQuoted(reader);
  return readUnquoted(reader);
}

function assign(target: HoconObject, path: string[], value: HoconValue): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    const existing = target[head];
    // HOCON merges two objects given for the same key instead of replacing the first.
    target[head] = isObject(existing) && isObject(value) ? { ...existing, ...value } : value;
    return;
  }
  const next = target[head];
  const child: HoconObject = isObject(next) ? next : {};
  target[head] = child;
  assign(child, rest, value);
}

function isObject(value: HoconValue | undefined): value is HoconObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readFields(reader: Reader, closing: string): HoconObject {
  const fields: HoconObject = {};
  for (;;) {
    reader.skip(true);
    if (reader.peek() === closing) {
      reader.position += 1;
      return fields;
    }
    if (reader.peek() === '') {
      if (closing === '') return fields;
      reader.fail('missing }');
    }
    const key = readKey(reader);
    reader.skip(false);
    if (reader.peek() === ':' || reader.peek() === '=') {
      reader.position += 1;
      reader.skip(false);
    } else if (reader.peek() !== '{') {
      reader.fail(`expected ":", "=" or "{" after ${key.join('.')}`);
    }
    assign(fields, key, readValue(reader));
  }
}

/** Parses a HOCON document (a root object, braces optional). */
export function parseHocon(text: string, file: string): HoconObject {
  const reader = new Reader(text, file);
  reader.skip(true);
  if (reader.peek() === '{') {
    reader.position += 1;
    return readFields(reader, '}');
  }
  return readFields(reader, '');
}
