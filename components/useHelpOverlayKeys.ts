import {useCallback} from 'react';
import type {MaiStore} from '../src/store.js';
import {helpFooterRows, helpLayout} from './help-layout.js';
import type {KeyEvent} from './input/key-event.js';
import {activeBindings, matches, type KeyHandler} from './keys.js';

/** The overlay's outer size, as the App lays it out. */
export type HelpArea = {readonly width: number; readonly height: number};

const WHEEL_ROWS = 3;

/** How far a key moves the help: a row, a page, to either end; 0 for a key that does not scroll. */
function scrollRows(event: KeyEvent, page: number, maxOffset: number): number {
  if (matches('cursorUp', event)) return -1;
  if (matches('cursorDown', event)) return 1;
  if (matches('scrollUp', event)) return -page;
  if (matches('scrollDown', event)) return page;
  if (matches('firstMessage', event) || matches('lineStart', event)) return -maxOffset;
  if (matches('lastMessage', event) || matches('lineEnd', event)) return maxOffset;
  if (matches('wheel', event)) return event.kind === 'key' && event.name === 'wheelUp' ? -WHEEL_ROWS : WHEEL_ROWS;
  return 0;
}

/**
 * The top layer of the key dispatcher while the help is open: Esc, ? or F1 close it; ↑ ↓, PgUp
 * PgDn, Home End and the wheel scroll it where it is taller than the terminal; Ctrl+C still reaches
 * the quit logic, and every other key is swallowed (typing into a hidden composer would surprise).
 * It asks the store, not a render-time value, so a key right after "?" sees the overlay.
 */
export function useHelpOverlayKeys(store: MaiStore, {width, height}: HelpArea): KeyHandler {
  return useCallback(
    (event) => {
      const {ui, setHelpOpen, scrollHelpBy} = store.getState();
      if (!ui.helpOpen || matches('quit', event)) return false;
      if (matches('stop', event) || matches('help', event)) {
        setHelpOpen(false);
        return true;
      }
      // The same layout the overlay draws, so that the end is where it shows the end.
      const {maxOffset, room} = helpLayout({width, height, bindings: activeBindings(), notices: ui.recentNotices, footerRows: helpFooterRows(), offset: ui.helpScroll});
      const rows = scrollRows(event, Math.max(1, room - 1), maxOffset);
      if (rows !== 0) scrollHelpBy(rows, maxOffset);
      return true;
    },
    [store, width, height],
  );
}
