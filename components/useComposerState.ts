import {useCallback, useMemo, useRef, useState} from 'react';
import {composerReducer, EMPTY_COMPOSER, type Action, type ComposerState} from './composer-reducer.js';

export type ComposerController = {
  /** The state of the last render: for drawing. */
  readonly state: ComposerState;
  readonly dispatch: (action: Action) => void;
  /** The state after every action so far, rendered or not: for key handlers. */
  readonly current: () => ComposerState;
};

/**
 * The composer's state: `composerReducer` behind a ref as well as React state. Keys arrive faster
 * than renders (a read holds many), and Enter must send the text as it is after the keys before
 * it, not as it was at the last render. The render is asked for once per batch of keys (a
 * microtask after the read's last key): Ink's legacy root would render synchronously on every
 * setState outside its own batchedUpdates, which mai's key source has no access to.
 */
export function useComposerState(): ComposerController {
  const [state, setState] = useState<ComposerState>(EMPTY_COMPOSER);
  const latest = useRef<ComposerState>(EMPTY_COMPOSER);
  const renderQueued = useRef(false);
  const dispatch = useCallback((action: Action) => {
    latest.current = composerReducer(latest.current, action);
    if (renderQueued.current) return;
    renderQueued.current = true;
    queueMicrotask(() => {
      renderQueued.current = false;
      setState(latest.current);
    });
  }, []);
  const current = useCallback(() => latest.current, []);
  return useMemo(() => ({state, dispatch, current}), [state, dispatch, current]);
}
