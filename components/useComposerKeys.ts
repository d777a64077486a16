import {useCallback} from 'react';
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

/**
 * The composer's layer of the key dispatcher. Enter sends (not while a reply is in progress: the
 * status bar says why) and clears; editing keys go to the reducer; text is inserted. A paste
 * arrives from Ink as one input longer than a character, so its newlines are inserted as text and
 * never send. Keys it does not know (Esc, Ctrl+N, PgUp...) fall through to the global layer, and so
 * does "?" in an empty composer (the help key).
 */
export function useComposerKeys(composer: ComposerController, store: MaiStore, commands: MaiCommands): KeyHandler {
  const {dispatch, current} = composer;
  return useCallback(
    (input, key) => {
      if (matches('send', input, key)) {
        if (store.getState().chat.busy) return true;
        const {text} = current();
        if (text.trim() === '') return true;
        commands.send(text);
        dispatch({type: 'clear'});
        // Sending means "show me the answer": follow the bottom again.
        const {ui, scrollBy} = store.getState();
        if (ui.scrollOffset > 0) scrollBy(-ui.scrollOffset, ui.scrollOffset);
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
