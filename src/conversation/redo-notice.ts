import {errorMessage, isModelError} from '../backends/model-error.js';
import type {NoticeLevel} from '../store/ui.js';

// What the user is told when a turn done again (Ctrl+G, an edited message resent) ended: a failure
// before its first word leaves the conversation as it was, and the notice says so and why.

export type RedoOutcome = {
  readonly reason: 'regenerate' | 'edit';
  /** The turn's old messages are back (the new reply never had a word). */
  readonly kept: boolean;
  /** Why it ended, when it failed; absent when the reply came back, stopped or empty. */
  readonly error?: unknown;
  /** The model that wrote nothing, when the reply came back empty. */
  readonly model?: string;
  readonly interrupted?: boolean;
};

/** The notice for a turn done again, or null when there is nothing to say (a reply was written). */
export function redoNotice(outcome: RedoOutcome): {readonly text: string; readonly level: NoticeLevel} | null {
  const {reason, kept, error} = outcome;
  // What stays first: a long error is cut at the status bar's edge, the outcome must not be.
  const stays = reason === 'regenerate' ? 'the last reply stays' : 'your edit was not sent';
  const stopped = isModelError(error, 'aborted') || (error === undefined && outcome.interrupted === true);
  if (!kept) return error === undefined || stopped ? null : {text: errorMessage(error), level: 'error'};
  if (stopped) return {text: `stopped before the first word: ${stays}`, level: 'info'};
  if (error !== undefined) return {text: `${stays}; the new reply failed: ${errorMessage(error)}`, level: 'error'};
  return {text: `${outcome.model ?? 'the model'} wrote nothing: ${stays}`, level: 'warn'};
}
