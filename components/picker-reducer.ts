import type {SavedConversation} from '../src/commands.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {atColumn, column, nextBoundary, previousBoundary} from './composer-reducer.js';
import type {PickerKind} from './picker-items.js';

// The picker's state (Picker.tsx): which list is open, the filter typed so far and the cursor in
// it, the selected row, and the saved conversations once read. Pure, state in, state out. The
// filter is edited as the composer's text is (composer-reducer.ts, whose grapheme steps it uses):
// the cursor moves over whole user-perceived characters, so an emoji or an accented letter is one
// step of ← → and one Backspace.

export type PickerState = {
  /** null: closed. */
  readonly kind: PickerKind | null;
  readonly query: string;
  /** Where typing lands in `query`: an index in UTF-16 code units, always on a grapheme boundary. */
  readonly cursor: number;
  /** Index into the filtered rows. */
  readonly selected: number;
  /** The saved conversations; null until they are read (and for the model list). */
  readonly conversations: readonly SavedConversation[] | null;
};

export type PickerAction =
  | {readonly type: 'open'; readonly kind: PickerKind}
  | {readonly type: 'close'}
  | {readonly type: 'insert'; readonly text: string}
  /** Erase the character before the cursor. */
  | {readonly type: 'backspace'}
  /** Erase the character under the cursor. */
  | {readonly type: 'delete'}
  | {readonly type: 'left'}
  | {readonly type: 'right'}
  | {readonly type: 'home'}
  | {readonly type: 'end'}
  | {readonly type: 'clear'}
  /** `count`: how many rows the filter leaves, so the selection stays on one. */
  | {readonly type: 'move'; readonly delta: number; readonly count: number}
  | {readonly type: 'conversations'; readonly list: readonly SavedConversation[]};

export const CLOSED_PICKER: PickerState = {kind: null, query: '', cursor: 0, selected: 0, conversations: null};

/** The longest filter kept, in characters: a paste of a novel into it is a slip, not a query. */
const MAX_QUERY_CHARS = 200;

export function pickerReducer(state: PickerState, action: PickerAction): PickerState {
  const {query, cursor} = state;
  // A new filter leaves other rows: the selection goes back to the first.
  const edited = (next: string, at: number): PickerState => (next === query ? state : {...state, query: next, cursor: at, selected: 0});
  const moved = (at: number): PickerState => (at === cursor ? state : {...state, cursor: at});
  switch (action.type) {
    case 'open':
      return {...CLOSED_PICKER, kind: action.kind};
    case 'close':
      return CLOSED_PICKER;
    case 'insert': {
      // Typed text is printable already; a paste may hold line breaks and tabs: one line of words.
      const text = firstGraphemes(sanitizeForTerminal(action.text).replace(/\s+/g, ' '), MAX_QUERY_CHARS - graphemeCount(query));
      return edited(query.slice(0, cursor) + text + query.slice(cursor), cursor + text.length);
    }
    case 'backspace': {
      if (cursor === 0) return state;
      const start = previousBoundary(query, cursor);
      return edited(query.slice(0, start) + query.slice(cursor), start);
    }
    case 'delete':
      return cursor >= query.length ? state : edited(query.slice(0, cursor) + query.slice(nextBoundary(query, cursor)), cursor);
    case 'left':
      return cursor === 0 ? state : moved(previousBoundary(query, cursor));
    case 'right':
      return cursor >= query.length ? state : moved(nextBoundary(query, cursor));
    case 'home':
      return moved(0);
    case 'end':
      return moved(query.length);
    case 'clear':
      return edited('', 0);
    case 'move': {
      if (action.count <= 0) return {...state, selected: 0};
      const selected = Math.max(0, Math.min(action.count - 1, state.selected + action.delta));
      return selected === state.selected ? state : {...state, selected};
    }
    case 'conversations': {
      if (state.kind !== 'conversation') return state;
      // The one on screen is usually the newest, first in the list, and resuming it changes nothing:
      // the selection starts on the next, the conversation a user most likely wants back.
      const next = action.list.findIndex((conversation) => conversation.onScreen !== true);
      const selected = query === '' && state.selected === 0 && next > 0 ? next : state.selected;
      return {...state, conversations: action.list, selected};
    }
  }
}

/** The filter is short (MAX_QUERY_CHARS): counting all of it per key is cheap. */
function graphemeCount(text: string): number {
  return column(text, 0, text.length);
}

/**
 * The first `count` characters of `text`, whole graphemes only: a paste cut at the limit never ends
 * in half an emoji, which would leave the cursor inside a character. atColumn reads the segments
 * lazily: a megabyte pasted by mistake is cut after `count` of them, not segmented whole.
 */
function firstGraphemes(text: string, count: number): string {
  return text.slice(0, atColumn(text, 0, text.length, Math.max(0, count)));
}
