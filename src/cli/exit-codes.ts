import {ConfigError} from '../config/config-error.js';
import {ConversationNotFoundError} from '../conversation/conversation-not-found.js';
import {errorMessage} from '../backends/model-error.js';
import {sanitizeForTerminal} from '../util/sanitize.js';

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

export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof ConversationNotFoundError) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** One clear line (or one per config problem) on stderr; never a stack trace. */
export function reportError(error: unknown): number {
  const message = error instanceof ConfigError ? error.message : `mai: ${errorMessage(error)}`;
  process.stderr.write(sanitizeForTerminal(message) + '\n');
  return exitCodeFor(error);
}
