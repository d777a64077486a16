import type {StateCreator} from 'zustand/vanilla';
import type {MaiState} from '../store.js';

// The view slice: how the user is looking at the chat: a reasoning model's thinking shown or
// folded, the search in progress, and the message being edited to resend, all written by the TUI;
// and an edit whose reply failed before a word, handed back by Mai for the composer to take.

export type SearchState = {
  readonly query: string;
  /** Typing the query (the field has the keys) or moving between hits (n / N). */
  readonly typing: boolean;
  /** Index of the hit the user is on. */
  readonly current: number;
};

export type ViewState = {
  /** `<think>` blocks drawn in full; folded to one line each by default. */
  readonly thinkingShown: boolean;
  readonly search: SearchState | null;
  /** The id of the user message the composer holds to replace (Up in an empty composer). */
  readonly editing: string | null;
  /** An edit resent whose reply failed or stopped before its first word: not sent, not to be lost. */
  readonly returnedEdit: ReturnedEdit | null;
};

export type ReturnedEdit = {readonly id: string; readonly text: string};

export type ViewSlice = {
  readonly view: ViewState;
  toggleThinking(): void;
  setSearch(search: SearchState | null): void;
  setEditing(id: string | null): void;
  returnEdit(edit: ReturnedEdit | null): void;
};

export const createViewSlice: StateCreator<MaiState, [], [], ViewSlice> = (set) => ({
  view: {thinkingShown: false, search: null, editing: null, returnedEdit: null},
  toggleThinking: () => set((s) => ({view: {...s.view, thinkingShown: !s.view.thinkingShown}})),
  setSearch: (search) => set((s) => ({view: {...s.view, search}})),
  setEditing: (editing) => set((s) => ({view: {...s.view, editing}})),
  returnEdit: (returnedEdit) => set((s) => ({view: {...s.view, returnedEdit}})),
});
