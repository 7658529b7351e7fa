const HELP_FLAGS: readonly string[] = ['--help', '-h'];

/** `--help` or `-h` anywhere on the command line (after npm's `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => HELP_FLAGS.includes(arg));
}

/**
 * Shared by every command: `--help` prints the usage (exit 0) without doing anything else; an
 * error becomes one clear line on stderr and exit code 1 (a stack trace only with DEBUG=1), so bad
 * input reads as a message, not a crash.
 */
export function runCommand(main: (argv: readonly string[]) => Promise<void>, usage: string): void {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    console.log(`usage: ${usage}`);
    return;
  }
  main(argv).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (process.env.DEBUG === '1' && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  });
}

/** Exit status of a process ended by SIGINT (128 + 2), as shells report it. */
const EXIT_INTERRUPTED = 130;

/**
 * Ctrl-C lets the training run finish its current epoch and write a checkpoint (the returned
 * signal aborts; the run then throws RunInterrupted, which names the resume command); a second
 * Ctrl-C exits at once.
 */
export function stopOnInterrupt(): AbortSignal {
  const stop = new AbortController();
  process.once('SIGINT', () => {
    console.error('\nstopping after this epoch (Ctrl-C again to quit now)');
    stop.abort();
    process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
  });
  return stop.signal;
}

/** A required `name=value` argument, or an error that shows the usage. */
export function requireNamed(named: Readonly<Record<string, string>>, name: string, usage: string): string {
  const value = named[name];
  if (value === undefined || value === '') throw new Error(`missing ${name}=...\nusage: ${usage}`);
  return value;
}

/** Formats a number with fixed decimals for tables. */
export function fixed(value: number, digits = 4): string {
  return value.toFixed(digits);
}

/**
 * Arguments of the commands that take no configuration (`evaluate`, `predict`): `name=value`
 * pairs and plain file names. Names must be among `allowed`.
 */
export function parseCommandArgs(argv: readonly string[], allowed: readonly string[], usage: string): { named: Record<string, string>; positional: string[] } {
  const named: Record<string, string> = {};
  const positional: string[] = [];
  for (const arg of argv) {
    if (arg === '--') continue;
    const match = /^([A-Za-z][\w]*)=(.*)$/s.exec(arg);
    if (match === null) {
      positional.push(arg);
      continue;
    }
    const [, name = '', value = ''] = match;
    if (!allowed.includes(name)) throw new Error(`unknown argument '${name}='\nusage: ${usage}`);
    named[name] = value;
  }
  return { named, positional };
}
