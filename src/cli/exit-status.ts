// The exit codes and the usage error, apart from the reporting of errors (exit-codes.ts): the
// entry point needs these to parse arguments, and `mai --help` should not load what reporting needs.

// DESIGN.md §6: 0 ok, 1 runtime failure, 2 usage or config error, 130 on Ctrl+C.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;
/** 128 + the signal's number, as shells report a process ended by SIGTERM or SIGHUP. */
export const EXIT_TERMINATED = 143;
export const EXIT_HANGUP = 129;

/** A mistake in how mai was called: reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
