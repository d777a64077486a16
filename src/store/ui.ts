import type {StateCreator} from 'zustand/vanilla';
import type {MaiState} from '../store.js';

// The ui slice: the one-line notices every part may raise (the status bar shows the latest), and
// the screen's own state that more than one component reads (help overlay, chat scroll).

export type NoticeLevel = 'info' | 'warn' | 'error';
export type Notice = {readonly text: string; readonly level: NoticeLevel; readonly at: number};

export type UiState = {
  readonly notice: Notice | null;
  readonly helpOpen: boolean;
  /** Lines scrolled up from the bottom of the chat; 0 follows new output. */
  readonly scrollOffset: number;
};

export type UiSlice = {
  readonly ui: UiState;
  notify(text: string, level?: NoticeLevel): void;
  setHelpOpen(open: boolean): void;
  scrollBy(lines: number, maxOffset: number): void;
};

export function createUiSlice(now: () => number): StateCreator<MaiState, [], [], UiSlice> {
  return (set) => ({
    ui: {notice: null, helpOpen: false, scrollOffset: 0},
    notify: (text, level = 'info') => set((s) => ({ui: {...s.ui, notice: {text, level, at: now()}}})),
    setHelpOpen: (helpOpen) => set((s) => ({ui: {...s.ui, helpOpen}})),
    scrollBy: (lines, maxOffset) =>
      set((s) => ({ui: {...s.ui, scrollOffset: Math.max(0, Math.min(maxOffset, s.ui.scrollOffset + lines))}})),
  });
}
