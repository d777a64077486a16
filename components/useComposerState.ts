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
 * The composer's state: `composerReducer` behind a ref as well as React state. Keys can arrive
 * faster than renders (two events from one stdin chunk run before React re-renders), and Enter must
 * send the text as it is after the keys before it, not as it was at the last render.
 */
export function useComposerState(): ComposerController {
  const [state, setState] = useState<ComposerState>(EMPTY_COMPOSER);
  const latest = useRef<ComposerState>(EMPTY_COMPOSER);
  const dispatch = useCallback((action: Action) => {
    latest.current = composerReducer(latest.current, action);
    setState(latest.current);
  }, []);
  const current = useCallback(() => latest.current, []);
  return useMemo(() => ({state, dispatch, current}), [state, dispatch, current]);
}
