import {useEffect} from 'react';
import {useStore} from 'zustand';
import type {MaiStore} from '../../src/store.js';
import type {ComposerController} from '../useComposerState.js';

/**
 * An edited message resent whose reply failed or stopped before its first word comes back to the
 * composer, still the edit of that message (Enter resends it in place again). It waits for an empty
 * composer: a message typed meanwhile is neither overwritten nor mixed with it.
 */
export function useReturnedEdit(store: MaiStore, {state, dispatch}: ComposerController): void {
  const returned = useStore(store, (s) => s.view.returnedEdit);
  const empty = state.text === '';
  useEffect(() => {
    if (!returned || !empty) return;
    const {returnEdit, setEditing} = store.getState();
    returnEdit(null);
    dispatch({type: 'paste', text: returned.text});
    setEditing(returned.id);
  }, [returned, empty, store, dispatch]);
}
