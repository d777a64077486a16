import {useCallback} from 'react';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import {matches, type KeyBindingId, type KeyHandler} from './keys.js';
import {pickerRows} from './picker-items.js';
import type {PickerAction} from './picker-reducer.js';
import type {PickerController} from './usePickerState.js';

/** The composer's editing keys that edit the filter too, and the reducer action each one means. */
const EDITING: readonly (readonly [KeyBindingId, PickerAction])[] = [
  ['erase', {type: 'backspace'}],
  ['eraseForward', {type: 'delete'}],
  ['cursorLeft', {type: 'left'}],
  ['cursorRight', {type: 'right'}],
  ['lineStart', {type: 'home'}],
  ['lineEnd', {type: 'end'}],
  ['clearInput', {type: 'clear'}],
];

/**
 * The picker's layer of the key dispatcher, above the composer. Closed, it only opens: Ctrl+O the
 * models, Ctrl+R the saved conversations. Open, it owns every key but Ctrl+C (quit still works):
 * typing filters, ↑ ↓ select, Enter picks (a model is switched to and pinned, as Ctrl+N does; a
 * conversation is resumed in place), Esc closes, and the other picker's key changes lists. The
 * filter is edited with the composer's keys (← → Home End Backspace Delete Ctrl+U): Home and End
 * move its cursor here, not to the chat's first and last message, which lie hidden behind the
 * picker. The keys mean what they mean in the composer, so they are the key table's own bindings,
 * remaps included.
 */
export function usePickerKeys(picker: PickerController, store: MaiStore, commands: MaiCommands): KeyHandler {
  const {dispatch, current} = picker;
  return useCallback(
    (event) => {
      const state = current();
      const opener = matches('modelPicker', event) ? 'model' : matches('conversationPicker', event) ? 'conversation' : null;
      if (state.kind === null) {
        if (opener === null) return false;
        dispatch({type: 'open', kind: opener});
        return true;
      }
      if (matches('quit', event)) return false;
      const rows = () => pickerRows(state.kind, state.query, store.getState().models, state.conversations);
      if (opener !== null) {
        dispatch(opener === state.kind ? {type: 'close'} : {type: 'open', kind: opener});
      } else if (matches('stop', event)) {
        dispatch({type: 'close'});
      } else if (matches('send', event)) {
        const chosen = rows()[state.selected];
        if (!chosen) return true;
        dispatch({type: 'close'});
        if (state.kind === 'model') commands.pickModel(chosen.id);
        else commands.resumeConversation(chosen.id);
      } else if (matches('cursorUp', event) || matches('cursorDown', event)) {
        dispatch({type: 'move', delta: matches('cursorUp', event) ? -1 : 1, count: rows().length});
      } else {
        const editing = EDITING.find(([id]) => matches(id, event));
        if (editing) dispatch(editing[1]);
        else if (event.kind === 'text' || event.kind === 'paste') dispatch({type: 'insert', text: event.text});
      }
      // Anything else would act on the hidden chat behind the picker: swallowed.
      return true;
    },
    [store, commands, dispatch, current],
  );
}
