import {useCallback, useLayoutEffect, useRef} from 'react';
import {useInput, type Key} from 'ink';
import type {KeyHandler} from './keys.js';

/**
 * The app's one keypress listener (STYLE.md 6). `layers` are asked in order, highest priority
 * first (the App passes overlay, composer, global), until one returns true.
 *
 * Ink 6 removes and re-adds its stdin listener whenever the handler passed to useInput changes, and
 * a key that arrives in between is lost; so useInput gets one callback for the component's life,
 * and the layers (which change as their state changes) are read from a ref.
 */
export function useKeyDispatcher(layers: readonly KeyHandler[]): void {
  const latest = useRef(layers);
  useLayoutEffect(() => {
    latest.current = layers;
  });
  const onInput = useCallback((input: string, key: Key) => {
    for (const handler of latest.current) {
      if (handler(input, key)) return;
    }
  }, []);
  useInput(onInput);
}
