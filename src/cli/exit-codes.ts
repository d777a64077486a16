import {ConfigError} from '../config/config-error.js';
import {ConversationNotFoundError} from '../conversation/conversation-not-found.js';
import {errorMessage} from '../backends/model-error.js';
import {sanitizeForTerminal} from '../util/sanitize.js';

import {EXIT_FAILURE, EXIT_USAGE, UsageError} from './exit-status.js';

export {EXIT_FAILURE, EXIT_HANGUP, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE, UsageError} from './exit-status.js';

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
