/**
 * `--help` for every command of the package (`npm start -- --help`, `npm run bench -- --help`...):
 * usage on stdout and exit 0, instead of starting work or failing on an argument it does not know.
 */
const HELP_FLAGS: readonly string[] = ['--help', '-h'];

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => HELP_FLAGS.includes(arg));
}

/** Prints `usage` and exits: 0 when help was asked for, 2 (with `problem`) for a bad command line. */
export function exitWithUsage(usage: string, problem?: string): never {
  if (problem === undefined) {
    console.log(usage);
    process.exit(0);
  }
  console.error(`${problem}\n\n${usage}`);
  process.exit(2);
}

/** For commands that take no arguments: help, or usage and exit 2 for anything else. */
export function noArguments(argv: readonly string[], usage: string): void {
  if (wantsHelp(argv)) exitWithUsage(usage);
  const extra = argv.filter((arg) => arg !== '--');
  if (extra.length > 0) exitWithUsage(usage, `unexpected argument '${extra[0] ?? ''}': this command takes none`);
}
