// Apart from conversation-file.ts (and the zod schema it loads) so that the CLI's exit-code mapping,
// which every command loads, `--help` included, stays light.

/** A conversation ID that names no saved conversation: a usage error (exit code 2). */
export class ConversationNotFoundError extends Error {
  override readonly name = 'ConversationNotFoundError';
}
