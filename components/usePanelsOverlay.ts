import {useCallback, useRef, useState} from 'react';
import {matches, type KeyHandler} from './keys.js';

export type PanelsOverlay = {
  /** The resources and models are shown over the chat (only ever in the narrow layout). */
  readonly open: boolean;
  /** A dispatcher layer: F2 opens and closes the overlay, Esc closes it; other keys go on. */
  readonly keys: KeyHandler;
};

/**
 * The narrow layout's overlay of the right column (layout.ts, NARROW_BELOW_COLUMNS). Keys still reach
 * the composer while it is open: it covers the chat, not the message being written. A ref holds the
 * state the keys see, so a second F2 in the same read as the first closes it again.
 */
export function usePanelsOverlay(narrow: boolean): PanelsOverlay {
  const [open, setOpen] = useState(false);
  const current = useRef(false);
  const set = useCallback((next: boolean) => {
    current.current = next;
    setOpen(next);
  }, []);
  const keys = useCallback<KeyHandler>(
    (event) => {
      if (matches('panels', event) && narrow) {
        set(!current.current);
        return true;
      }
      if (current.current && matches('stop', event)) {
        set(false);
        return true;
      }
      return false;
    },
    [narrow, set],
  );
  return {open: open && narrow, keys};
}
