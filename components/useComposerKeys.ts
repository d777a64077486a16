import {useCallback, useRef} from 'react';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import type {Action} from './composer-reducer.js';
import {matches, type KeyBindingId, type KeyHandler} from './keys.js';
import type {ComposerController} from './useComposerState.js';

/** Editing keys of the table and the reducer action each one means. */
const EDITING: readonly (readonly [KeyBindingId, Action])[] = [
  ['newline', {type: 'newline'}],
  ['erase', {type: 'backspace'}],
  ['eraseForward', {type: 'delete'}],
  ['cursorLeft', {type: 'left'}],
  ['cursorRight', {type: 'right'}],
  ['cursorUp', {type: 'up'}],
  ['cursorDown', {type: 'down'}],
  ['lineStart', {type: 'home'}],
  ['lineEnd', {type: 'end'}],
  ['clearInput', {type: 'clear'}],
];

// Bracketed paste (runTui turns it on): the terminal wraps a paste in ESC[200~ ... ESC[201~. Ink
// has no paste support; it hands the markers over as the inputs "[200~" and "[201~".
const PASTE_START = '[200~';
const PASTE_END = '[201~';
// Text typed ahead and Enter can reach mai in one read (a fast typist over ssh, tmux send-keys):
// outside a bracketed paste, one trailing carriage return and no other line break is Enter.
const TYPED_THEN_ENTER = /^[^\r\n]+\r$/;

/**
 * The composer's layer of the key dispatcher. Enter sends (not while a reply is in progress: the
 * status bar says why) and clears; editing keys go to the reducer; text is inserted. A paste's
 * newlines are inserted as text and never send: inside bracketed-paste markers everything is text,
 * and without them (a terminal that does not bracket pastes) any input longer than a character with
 * a line break inside is taken as a paste. Keys it does not know (Esc, Ctrl+N, PgUp...) fall
 * through to the global layer, and so does "?" in an empty composer (the help key).
 */
export function useComposerKeys(composer: ComposerController, store: MaiStore, commands: MaiCommands): KeyHandler {
  const {dispatch, current} = composer;
  const pasting = useRef(false);
  return useCallback(
    (input, key) => {
      if (input === PASTE_START || input === PASTE_END) {
        pasting.current = input === PASTE_START;
        return true;
      }
      if (pasting.current) {
        // A lone "\r" inside a paste arrives as key.return: it is a line break of the pasted text.
        dispatch({type: 'insert', text: key.return ? '\n' : input});
        return true;
      }
      const send = () => {
        if (store.getState().chat.busy) return;
        const {text} = current();
        if (text.trim() === '') return;
        commands.send(text);
        dispatch({type: 'clear'});
        // Sending means "show me the answer": follow the bottom again.
        const {ui, scrollBy} = store.getState();
        if (ui.scrollOffset > 0) scrollBy(-ui.scrollOffset, ui.scrollOffset);
      };
      if (matches('send', input, key)) {
        send();
        return true;
      }
      if (input.length > 1 && TYPED_THEN_ENTER.test(input)) {
        dispatch({type: 'insert', text: input.slice(0, -1)});
        send();
        return true;
      }
      for (const [id, action] of EDITING) {
        if (matches(id, input, key)) {
          dispatch(action);
          return true;
        }
      }
      if (input === '' || key.ctrl || key.meta) return false;
      if (matches('help', input, key) && current().text === '') return false;
      dispatch({type: 'insert', text: input});
      return true;
    },
    [store, commands, dispatch, current],
  );
}
