import {sanitizeForTerminal} from '../../util/sanitize.js';
import {errorMessage, ModelError, type ModelErrorKind} from '../model-error.js';

// What @lmstudio/sdk 1.5.0 throws, turned into mai's classified errors with one readable line.
// The SDK's errors are plain Errors whose message is a box drawn with ANSI colours (when stdout is a
// terminal) around the title, a "(!) SUGGESTION" and a "(X) CAUSE" section; the structured fields
// are not attached for most errors. So the text is read back out of the box, and sanitized: it
// comes from LM Studio and ends up on the user's terminal.

const BOX_CHARACTERS = /[┌┐└┘│─╭╮╰╯]/g;
const SECTION = /^\(([!X])\)\s*(SUGGESTION|CAUSE)$/;

export type PlainError = {readonly title: string; readonly cause?: string; readonly suggestion?: string};

/** The title, cause and suggestion of an SDK error message, as plain single-line strings. */
export function plainSdkError(message: string): PlainError {
  const lines = sanitizeForTerminal(message)
    .replace(BOX_CHARACTERS, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '' && line !== 'Error');
  const sections: Record<'title' | 'SUGGESTION' | 'CAUSE', string[]> = {title: [], SUGGESTION: [], CAUSE: []};
  let current: keyof typeof sections = 'title';
  for (const line of lines) {
    const section = SECTION.exec(line);
    if (section) current = section[2] as 'SUGGESTION' | 'CAUSE';
    else sections[current].push(line);
  }
  const join = (parts: string[]) => parts.join(' ').trim();
  return {
    title: join(sections.title) || 'LM Studio reported an error',
    ...(sections.CAUSE.length > 0 ? {cause: join(sections.CAUSE)} : {}),
    ...(sections.SUGGESTION.length > 0 ? {suggestion: join(sections.SUGGESTION)} : {}),
  };
}

/** "title: cause", the line mai shows for an LM Studio error. */
export function lmStudioErrorText(error: unknown): string {
  const {title, cause} = plainSdkError(errorMessage(error));
  return cause && !title.includes(cause) ? `${title}: ${cause}` : title;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The socket to LM Studio failed or closed (as opposed to LM Studio answering with an error). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as {code?: unknown} | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = errorMessage(error);
  return /WebSocket (connection closed|error|timed out|was closed)|transport disposed|Failed to authenticate|Unexpected server response/i.test(message);
}

export type CallKind = 'load' | 'respond' | 'call';

/** A ModelError of the right kind for an error the SDK threw while doing `what`. */
export function classifyLMStudioError(error: unknown, kind: CallKind, what: string, modelKey?: string): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new ModelError('aborted', `${what} was cancelled`, modelKey);
  if (isConnectionError(error)) {
    return new ModelError('backend-gone', `LM Studio went away during ${what} (${sanitizeForTerminal(errorMessage(error)).trim()})`, modelKey);
  }
  const text = lmStudioErrorText(error);
  let errorKind: ModelErrorKind = kind === 'load' ? 'load-failed' : 'crashed';
  if (/not found|cannot find|no model/i.test(text)) errorKind = 'not-found';
  else if (kind === 'load' && /out of memory|insufficient|not enough memory|VRAM|allocat/i.test(text)) errorKind = 'out-of-memory';
  return new ModelError(errorKind, `LM Studio: ${text}`, modelKey);
}
