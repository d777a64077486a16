import type {StateCreator} from 'zustand/vanilla';
import type {MaiState} from '../store.js';

// The ui slice: the one-line notices every part may raise (the status bar shows the latest, cut to
// its width; the help overlay shows the last few whole), and the screen's own state that more than
// one component reads (help overlay, chat scroll).

export type NoticeLevel = 'info' | 'warn' | 'error';
export type Notice = {readonly text: string; readonly level: NoticeLevel; readonly at: number};

/** How many notices the help overlay can show again, newest last. */
export const RECENT_NOTICES = 5;

export type UiState = {
  /** The last RECENT_NOTICES notices, oldest first (latestNotice() is the last). */
  readonly recentNotices: readonly Notice[];
  readonly helpOpen: boolean;
  /** The help's first row shown, where it is too long for the terminal; 0 each time it opens. */
  readonly helpScroll: number;
  /** Lines scrolled up from the bottom of the chat; 0 follows new output. */
  readonly scrollOffset: number;
  /** The config's `keys:` (binding id to key names), for the TUI's key table; set by Mai. */
  readonly keyOverrides: Readonly<Record<string, readonly string[]>>;
};

export type UiSlice = {
  readonly ui: UiState;
  notify(text: string, level?: NoticeLevel): void;
  setHelpOpen(open: boolean): void;
  scrollHelpBy(rows: number, maxOffset: number): void;
  scrollBy(lines: number, maxOffset: number): void;
  setKeyOverrides(keys: Readonly<Record<string, readonly string[]>>): void;
};

/** The newest notice, the one the status bar shows (the same object until another is raised). */
export function latestNotice(state: {readonly ui: UiState}): Notice | null {
  return state.ui.recentNotices.at(-1) ?? null;
}

export function createUiSlice(now: () => number): StateCreator<MaiState, [], [], UiSlice> {
  return (set) => ({
    ui: {recentNotices: [], helpOpen: false, helpScroll: 0, scrollOffset: 0, keyOverrides: {}},
    notify: (text, level = 'info') =>
      set((s) => {
        const notice = {text, level, at: now()};
        return {ui: {...s.ui, recentNotices: [...s.ui.recentNotices, notice].slice(-RECENT_NOTICES)}};
      }),
    setHelpOpen: (helpOpen) => set((s) => ({ui: {...s.ui, helpOpen, helpScroll: 0}})),
    // From where the help shows now: a taller terminal (or fewer notices) can have lowered the end.
    scrollHelpBy: (rows, maxOffset) =>
      set((s) => ({ui: {...s.ui, helpScroll: Math.max(0, Math.min(maxOffset, Math.min(maxOffset, s.ui.helpScroll) + rows))}})),
    scrollBy: (lines, maxOffset) =>
      set((s) => ({ui: {...s.ui, scrollOffset: Math.max(0, Math.min(maxOffset, s.ui.scrollOffset + lines))}})),
    setKeyOverrides: (keyOverrides) => set((s) => ({ui: {...s.ui, keyOverrides}})),
  });
}
