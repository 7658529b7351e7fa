import { configError } from './errors.js';
import { commandLineSource } from './overrides.js';
import { keysAt } from './schema.js';
import { suggestKey } from './suggest.js';

/** Command-line arguments split the way the training commands read them. */
export interface ParsedArgs {
  /** `exp=NAME`: the experiment file to merge over the defaults. */
  readonly exp?: string;
  /** Configuration overrides, in order: `train.epochs=3`, `seed=7`, `+key=v`, `++key=v`, `~key`. */
  readonly overrides: string[];
  /** Other `name=value` arguments the command itself reads: `resume=RUN_DIR`, `model=DIR`, `data=DIR`. */
  readonly named: Record<string, string>;
  /** Arguments without `=`, e.g. image files for `predict`. */
  readonly positional: string[];
}

const NAMED_PATTERN = /^([A-Za-z_][\w-]*)=(.*)$/s;
const OVERRIDE_PREFIX = /^(~|\+\+|\+)/;

type ArgKind = 'skip' | 'override' | 'positional' | 'named';

/** Which of the four kinds an argument is; see `parseArgs`. */
function classify(arg: string, topLevel: ReadonlySet<string>): ArgKind {
  // `npm run train -- exp=smoke` may pass the separator through.
  if (arg === '--') return 'skip';
  if (OVERRIDE_PREFIX.test(arg)) return 'override';
  const key = arg.split('=')[0] ?? '';
  const hasValue = arg.includes('=');
  if (topLevel.has(key.split('.')[0] ?? '') || (hasValue && key.includes('.'))) return 'override';
  return NAMED_PATTERN.test(arg) ? 'named' : 'positional';
}

/**
 * Splits `exp=NAME key=value ...`. An argument is a configuration override when its first key
 * segment is a top-level configuration key (`train.epochs=3`, `device=cpu`), its key is dotted
 * (so a misspelt section still reaches the key check), or it starts with `+`, `++` or `~`; any
 * other `name=value` is a named argument for the command. Arguments given twice are errors.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const topLevel = new Set(keysAt([]));
  const overrides: string[] = [];
  const named: Record<string, string> = {};
  const positional: string[] = [];
  for (const arg of argv) {
    const kind = classify(arg, topLevel);
    if (kind === 'override') overrides.push(arg);
    if (kind === 'positional') positional.push(arg);
    if (kind !== 'named') continue;
    const [name, value] = splitNamed(arg);
    if (Object.hasOwn(named, name)) throw configError('', commandLineSource(arg), `${name} is given twice (already ${name}=${named[name] ?? ''})`);
    named[name] = value;
  }
  const { exp, ...rest } = named;
  return exp === undefined ? { overrides, named: rest, positional } : { exp, overrides, named: rest, positional };
}

function splitNamed(arg: string): [string, string] {
  const index = arg.indexOf('=');
  return [arg.slice(0, index), arg.slice(index + 1)];
}

/**
 * Rejects named arguments a command does not take, naming the argument and, when it looks like a
 * configuration key (`epochs=3`), the key it probably meant.
 */
export function checkNamed(named: Readonly<Record<string, string>>, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(named)) {
    if (allowed.includes(name)) continue;
    const suggestion = suggestKey([name]);
    const hint = suggestion.startsWith('; did you mean') ? suggestion : '';
    const takes = allowed.length > 0 ? `; this command takes ${allowed.map((item) => `${item}=`).join(', ')}` : '';
    throw configError('', commandLineSource(`${name}=${value}`), `unknown argument '${name}'${hint}${takes}`);
  }
}
