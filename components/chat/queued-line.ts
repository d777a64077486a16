import type {State} from '../../src/store.js';
import {keyFor} from '../keys.js';
import {oneLine} from '../status-line.js';

/** The line below the chat while the composer holds a message to resend in place of its turn. */
export function editingLine(state: State): string | null {
  if (state.view.editing === null) return null;
  return `✎ editing your last message: ${keyFor('send')} resends it in place of that turn · ${keyFor('stop')} keeps it as a new one`;
}

/**
 * "queued: sent when mai-demo-large has loaded" while a message waits for a model (sent during a
 * load or a switch: the composer never blocks), else null. A string, for a narrow selector.
 */
export function queuedLine(state: State): string | null {
  if (!state.chat.busy || state.chat.streaming !== null) return null;
  const loading = Object.entries(state.models.status).find(([, status]) => status.state === 'loading')?.[0];
  if (loading) return `⋯ queued: sent when ${oneLine(loading)} has loaded`;
  if (state.models.currentKey === null) return '⋯ queued: sent when a model is ready';
  return null;
}
