import {useCallback, useMemo, useRef, useState} from 'react';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import {CLOSED_PICKER, pickerReducer, type PickerAction, type PickerState} from './picker-reducer.js';

export type PickerController = {
  /** The state of the last render: for drawing. */
  readonly state: PickerState;
  readonly dispatch: (action: PickerAction) => void;
  /** The state after every action so far, rendered or not: for the key layer. */
  readonly current: () => PickerState;
};

/**
 * The picker's state: `pickerReducer` behind a ref as well as React state, for the reason the
 * composer's is (useComposerState.ts): keys arrive faster than renders, and Enter must pick the row
 * the keys before it selected. Opening the conversation list reads the saved conversations through
 * MaiCommands; they arrive as an action, dropped if the picker was closed meanwhile.
 */
export function usePickerState(store: MaiStore, commands: MaiCommands): PickerController {
  const [state, setState] = useState<PickerState>(CLOSED_PICKER);
  const latest = useRef<PickerState>(CLOSED_PICKER);
  const renderQueued = useRef(false);
  const apply = useCallback((action: PickerAction) => {
    latest.current = pickerReducer(latest.current, action);
    if (renderQueued.current) return;
    renderQueued.current = true;
    queueMicrotask(() => {
      renderQueued.current = false;
      setState(latest.current);
    });
  }, []);
  const dispatch = useCallback(
    (action: PickerAction) => {
      apply(action);
      if (action.type !== 'open' || action.kind !== 'conversation') return;
      const opened = latest.current;
      commands.listConversations().then(
        (list) => {
          if (latest.current.kind === 'conversation' && latest.current.conversations === opened.conversations) apply({type: 'conversations', list});
        },
        (error: unknown) => {
          store.getState().notify(`cannot list the saved conversations: ${error instanceof Error ? error.message : String(error)}`, 'error');
          apply({type: 'conversations', list: []});
        },
      );
    },
    [apply, commands, store],
  );
  const current = useCallback(() => latest.current, []);
  return useMemo(() => ({state, dispatch, current}), [state, dispatch, current]);
}
