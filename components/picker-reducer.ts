import type {SavedConversation} from '../src/commands.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import type {PickerKind} from './picker-items.js';

// The picker's state (Picker.tsx): which list is open, the filter typed so far, the selected row,
// and the saved conversations once read. Pure, state in, state out.

export type PickerState = {
  /** null: closed. */
  readonly kind: PickerKind | null;
  readonly query: string;
  /** Index into the filtered rows. */
  readonly selected: number;
  /** The saved conversations; null until they are read (and for the model list). */
  readonly conversations: readonly SavedConversation[] | null;
};

export type PickerAction =
  | {readonly type: 'open'; readonly kind: PickerKind}
  | {readonly type: 'close'}
  | {readonly type: 'insert'; readonly text: string}
  | {readonly type: 'backspace'}
  | {readonly type: 'clear'}
  /** `count`: how many rows the filter leaves, so the selection stays on one. */
  | {readonly type: 'move'; readonly delta: number; readonly count: number}
  | {readonly type: 'conversations'; readonly list: readonly SavedConversation[]};

export const CLOSED_PICKER: PickerState = {kind: null, query: '', selected: 0, conversations: null};

/** The longest filter kept: a paste of a novel into it is a slip, not a query. */
const MAX_QUERY_CHARS = 200;

export function pickerReducer(state: PickerState, action: PickerAction): PickerState {
  switch (action.type) {
    case 'open':
      return {...CLOSED_PICKER, kind: action.kind};
    case 'close':
      return CLOSED_PICKER;
    case 'insert': {
      // Typed text is printable already; a paste may hold line breaks and tabs: one line of words.
      const text = sanitizeForTerminal(action.text).replace(/\s+/g, ' ');
      const query = Array.from(state.query + text).slice(0, MAX_QUERY_CHARS).join('');
      return query === state.query ? state : {...state, query, selected: 0};
    }
    case 'backspace':
      return state.query === '' ? state : {...state, query: Array.from(state.query).slice(0, -1).join(''), selected: 0};
    case 'clear':
      return {...state, query: '', selected: 0};
    case 'move': {
      if (action.count <= 0) return {...state, selected: 0};
      const selected = Math.max(0, Math.min(action.count - 1, state.selected + action.delta));
      return selected === state.selected ? state : {...state, selected};
    }
    case 'conversations':
      return state.kind === 'conversation' ? {...state, conversations: action.list} : state;
  }
}
