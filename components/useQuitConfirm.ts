import {useCallback, useEffect, useRef, useState} from 'react';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';

/** A second Ctrl+C within this window quits; the first only warns (and stops a reply). */
export const QUIT_CONFIRM_MS = 2000;

export type QuitConfirm = {
  /** The first press happened and the window is open: the status bar asks for the second. */
  readonly armed: boolean;
  readonly press: () => void;
};

/**
 * Ctrl+C twice to quit. The first press stops a reply in progress (the common meaning of Ctrl+C)
 * and arms; a second press within QUIT_CONFIRM_MS calls `commands.quit()`. This is screen state,
 * not app state, so it lives here and not in the store.
 */
export function useQuitConfirm(store: MaiStore, commands: MaiCommands, now: () => number = Date.now): QuitConfirm {
  const [armed, setArmed] = useState(false);
  const armedAt = useRef<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    return () => clearTimeout(timer.current);
  }, []);

  const press = useCallback(() => {
    clearTimeout(timer.current);
    const at = now();
    if (armedAt.current !== null && at - armedAt.current <= QUIT_CONFIRM_MS) {
      armedAt.current = null;
      setArmed(false);
      commands.quit();
      return;
    }
    const {chat} = store.getState();
    if (chat.busy || chat.streaming) commands.stop();
    armedAt.current = at;
    setArmed(true);
    timer.current = setTimeout(() => {
      armedAt.current = null;
      setArmed(false);
    }, QUIT_CONFIRM_MS);
    // Never keep the process alive for a hint.
    timer.current.unref();
  }, [store, commands, now]);

  return {armed, press};
}
