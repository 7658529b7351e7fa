/** One problem with one configuration key, with where that key's value came from. */
export interface ConfigIssue {
  /** Dotted key, e.g. `train.epochs`; empty for problems with a whole file or argument. */
  readonly key: string;
  /** Where the value came from: `configs/exp/smoke.yaml:7` or `command line 'train.epochs=3'`. */
  readonly source: string;
  readonly message: string;
}

/**
 * A configuration that cannot be used. The message names every offending key and its source, so
 * the user knows which file line or command-line argument to fix.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** The first issue's key (most errors have exactly one). */
  get key(): string {
    return this.issues[0]?.key ?? '';
  }

  /** The first issue's source. */
  get source(): string {
    return this.issues[0]?.source ?? '';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const subject = issue.key === '' ? issue.source : `config key '${issue.key}' (from ${issue.source})`;
  return `${subject}: ${issue.message}`;
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  if (issues.length === 1 && issues[0] !== undefined) return formatIssue(issues[0]);
  return [`invalid configuration (${issues.length} problems):`, ...issues.map((issue) => `  - ${formatIssue(issue)}`)].join('\n');
}

/** Shorthand for the common single-issue error. */
export function configError(key: string, source: string, message: string): ConfigError {
  return new ConfigError([{ key, source, message }]);
}
