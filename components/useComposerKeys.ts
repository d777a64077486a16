import {useCallback} from 'react';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import type {Action} from './composer-reducer.js';
import {matches, type KeyBindingId, type KeyHandler} from './keys.js';
import {expandPastes} from './pasted-blocks.js';
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
  ['togglePaste', {type: 'togglePaste'}],
];

/**
 * The composer's layer of the key dispatcher. Enter sends (not while a reply is in progress: the
 * status bar says why) and clears; editing keys go to the reducer; typed text and pastes are
 * inserted. A paste's line breaks are text and never send (the parser makes a bracketed paste, and
 * a read of text with a line break inside, one paste event). Keys it does not know (Esc, Ctrl+N,
 * PgUp...) fall through to the global layer, and so does "?" in an empty composer (the help key).
 */
export function useComposerKeys(composer: ComposerController, store: MaiStore, commands: MaiCommands): KeyHandler {
  const {dispatch, current} = composer;
  return useCallback(
    (event) => {
      if (event.kind === 'paste') {
        dispatch({type: 'paste', text: event.text});
        return true;
      }
      if (event.kind === 'text') {
        if (matches('help', event) && current().text === '') return false;
        dispatch({type: 'insert', text: event.text});
        return true;
      }
      if (matches('send', event)) {
        send(store, commands, composer);
        return true;
      }
      for (const [id, action] of EDITING) {
        if (matches(id, event)) {
          dispatch(action);
          return true;
        }
      }
      return false;
    },
    [store, commands, composer, dispatch, current],
  );
}

function send(store: MaiStore, commands: MaiCommands, {current, dispatch}: ComposerController): void {
  if (store.getState().chat.busy) return;
  const {text, pastes = []} = current();
  if (text.trim() === '') return;
  commands.send(expandPastes(text, pastes));
  dispatch({type: 'clear'});
  // Sending means "show me the answer": follow the bottom again.
  const {ui, scrollBy} = store.getState();
  if (ui.scrollOffset > 0) scrollBy(-ui.scrollOffset, ui.scrollOffset);
}
