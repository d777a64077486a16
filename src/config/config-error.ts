// How a config problem reaches the user: one `FILE:LINE:COL: problem` line each.

export type ConfigProblem = {
  /** A file path, or the name of an environment variable. */
  readonly source: string;
  /** 1-based; absent when the problem has no place in a file. */
  readonly line?: number;
  readonly col?: number;
  readonly message: string;
};

export function formatProblem(p: ConfigProblem): string {
  return p.line === undefined ? `${p.source}: ${p.message}` : `${p.source}:${p.line}:${p.col ?? 1}: ${p.message}`;
}

/** A config that cannot be used; the message has one `FILE:LINE:COL: problem` line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** A config error is a usage error (DESIGN.md §6). */
  readonly exitCode = 2;
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}
