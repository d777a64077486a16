import {useCallback} from 'react';
import type {MaiStore} from '../src/store.js';
import {matches, type KeyHandler} from './keys.js';

/**
 * The top layer of the key dispatcher while the help is open: Esc, ? or F1 close it, Ctrl+C still
 * reaches the quit logic, and every other key is swallowed (typing into a hidden composer would
 * surprise). It asks the store, not a render-time value, so a key right after "?" sees the overlay.
 */
export function useHelpOverlayKeys(store: MaiStore): KeyHandler {
  return useCallback(
    (event) => {
      const {ui, setHelpOpen} = store.getState();
      if (!ui.helpOpen || matches('quit', event)) return false;
      if (matches('stop', event) || matches('help', event)) setHelpOpen(false);
      return true;
    },
    [store],
  );
}
