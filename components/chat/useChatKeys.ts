import {useCallback, useRef} from 'react';
import type {MaiCommands} from '../../src/commands.js';
import type {MaiStore} from '../../src/store.js';
import {EDITOR_CHORD_SECOND, keyFor, matches, type KeyHandler} from '../keys.js';
import {scrollLimit} from '../MessageLines.js';
import {expandPastes} from '../pasted-blocks.js';
import {useTerminal} from '../terminal.js';
import type {ComposerController} from '../useComposerState.js';
import {codeBlocks, copiedNotice, osc52} from './clipboard.js';
import {editInEditor} from './external-editor.js';
import {lineOptions} from './search-hits.js';
import {splitThinking} from './think-blocks.js';

// The chat's own keys (components/chat/), a layer of the dispatcher between the overlay and the
// composer: it sees Up, Home, End and Enter first, and takes them only when they mean something
// else than editing (an empty composer, a message being edited to resend).

/** Lines one notch of the mouse wheel scrolls: what most terminals and browsers do. */
export const WHEEL_LINES = 3;

export type ChatKeysOptions = {
  readonly store: MaiStore;
  readonly commands: MaiCommands;
  readonly composer: ComposerController;
  /** The chat pane's text area, for scrolling. */
  readonly chatColumns: number;
  readonly chatRows: number;
};

/** The answer of a reply without its thinking: what "copy the reply" means. */
function answerOf(text: string): string {
  return splitThinking(text)
    .filter((part) => part.kind === 'answer')
    .map((part) => part.text)
    .join('\n\n');
}

export function useChatKeys({store, commands, composer, chatColumns, chatRows}: ChatKeysOptions): KeyHandler {
  const terminal = useTerminal();
  /** Ctrl+X was pressed: the next key completes the chord (Ctrl+E) or is a key of its own. */
  const chord = useRef(false);
  const {dispatch, current} = composer;

  return useCallback(
    (event) => {
      const state = store.getState();
      const composerEmpty = current().text === '';
      const editing = state.view.editing;
      const scrollTo = (offset: number) => {
        // Capped where it is going: End at the bottom wraps only the messages on screen.
        const limit = scrollLimit(state.chat.messages, chatColumns, chatRows, offset, lineOptions(state));
        state.scrollBy(Math.min(offset, limit) - state.ui.scrollOffset, limit);
      };
      const lastReply = () => state.chat.messages.findLast((entry) => entry.role === 'assistant');
      const copy = (text: string, what: string) => {
        terminal.write(osc52(text));
        state.notify(copiedNotice(text, what));
      };

      if (chord.current) {
        chord.current = false;
        if (EDITOR_CHORD_SECOND(event)) {
          const {text, pastes = []} = current();
          const result = terminal.suspend(() => editInEditor(expandPastes(text, pastes)));
          if ('error' in result) {
            state.notify(result.error, 'warn');
          } else {
            dispatch({type: 'clear'});
            dispatch({type: 'paste', text: result.text});
          }
          return true;
        }
        // Not the chord: the key is itself.
      }
      if (matches('externalEditor', event)) {
        chord.current = true;
        return true;
      }
      if (matches('regenerate', event)) {
        if (state.chat.busy) state.notify(`a reply is in progress: ${keyFor('stop')} stops it first`, 'warn');
        else if (state.chat.messages.at(-1)?.role !== 'assistant') state.notify('there is no reply to write again', 'warn');
        else if (commands.regenerate) commands.regenerate();
        else state.notify('writing a reply again is not available here', 'warn');
        return true;
      }
      if (matches('copyReply', event)) {
        const reply = lastReply();
        if (reply) copy(answerOf(reply.text), 'the last reply');
        else state.notify('there is no reply to copy yet', 'warn');
        return true;
      }
      if (matches('copyCode', event) && event.kind === 'key') {
        const n = Number.parseInt(event.name, 10);
        const blocks = codeBlocks(answerOf(lastReply()?.text ?? ''));
        const block = blocks[n - 1];
        if (block !== undefined) copy(block, `code block ${n} of ${blocks.length}`);
        else state.notify(blocks.length === 0 ? 'the last reply has no code block' : `the last reply has ${blocks.length} code ${blocks.length === 1 ? 'block' : 'blocks'}`, 'warn');
        return true;
      }
      if (matches('toggleThinking', event)) {
        state.toggleThinking();
        return true;
      }
      if (matches('search', event)) {
        state.setSearch({query: '', typing: true, current: 0});
        return true;
      }
      if (matches('wheel', event) && event.kind === 'key') {
        const limit = scrollLimit(state.chat.messages, chatColumns, chatRows, state.ui.scrollOffset + WHEEL_LINES, lineOptions(state));
        state.scrollBy(event.name === 'wheelUp' ? WHEEL_LINES : -WHEEL_LINES, limit);
        return true;
      }
      if (composerEmpty && matches('firstMessage', event)) {
        scrollTo(Number.MAX_SAFE_INTEGER);
        return true;
      }
      if (composerEmpty && matches('lastMessage', event)) {
        scrollTo(0);
        return true;
      }
      if (composerEmpty && matches('editLast', event)) {
        const last = state.chat.messages.findLast((entry) => entry.role === 'user');
        if (!last || state.chat.busy) return false;
        dispatch({type: 'paste', text: last.text});
        state.setEditing(last.id);
        return true;
      }
      // Ctrl+U clears the message, Esc leaves it: either way the next Enter sends a new message.
      if (editing !== null && (matches('clearInput', event) || matches('stop', event))) {
        state.setEditing(null);
        return false;
      }
      if (editing !== null && matches('send', event)) {
        const {text, pastes = []} = current();
        if (state.chat.busy || text.trim() === '') return false;
        if (!commands.resend) {
          state.notify('resending an edited message is not available here', 'warn');
          return true;
        }
        commands.resend(editing, expandPastes(text, pastes));
        state.setEditing(null);
        dispatch({type: 'clear'});
        scrollTo(0);
        return true;
      }
      return false;
    },
    [store, commands, current, dispatch, chatColumns, chatRows, terminal],
  );
}
