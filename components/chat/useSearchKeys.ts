import {useCallback} from 'react';
import type {MaiStore, SearchState} from '../../src/store.js';
import {sanitizeForTerminal} from '../../src/util/sanitize.js';
import {matches, type KeyBindingId, type KeyHandler} from '../keys.js';
import {scrollLimit} from '../MessageLines.js';
import {offsetShowing, stepHit} from './chat-search.js';
import {chatHits, lineOptions} from './search-hits.js';

// Searching (Ctrl+F) is a layer of its own, above the composer: while it is open, typed text goes
// to the query, not to the message, so n and N move between hits instead of being typed. Two
// steps: typing the query (each change jumps to the newest hit; Enter moves on to the hits), then
// n / Enter and N / Shift+Enter between hits; Ctrl+F or / types again, Esc leaves.

/** Keys that keep their meaning while searching (they fall through to the layers below). */
const PASSED: readonly KeyBindingId[] = ['quit', 'scrollUp', 'scrollDown', 'wheel', 'nextModel', 'prevModel', 'autoSwitch', 'redraw', 'toggleThinking', 'copyReply', 'copyCode', 'regenerate'];

export type SearchKeysOptions = {
  readonly store: MaiStore;
  readonly chatColumns: number;
  readonly chatRows: number;
};

export function useSearchKeys({store, chatColumns, chatRows}: SearchKeysOptions): KeyHandler {
  return useCallback(
    (event) => {
      const state = store.getState();
      const search = state.view.search;
      if (search === null) return false;
      if (PASSED.some((id) => matches(id, event))) return false;

      /** Sets the search and scrolls the chat so the hit it is on is in view. */
      const go = (next: SearchState, pick: (count: number) => number) => {
        const options = lineOptions(state);
        const {hits, totalLines} = chatHits(state.chat.messages, chatColumns, next.query, options);
        const current = hits.length === 0 ? 0 : pick(hits.length);
        state.setSearch({...next, current});
        const hit = hits[current];
        if (!hit) return;
        const limit = scrollLimit(state.chat.messages, chatColumns, chatRows, Number.POSITIVE_INFINITY, options);
        // A scrolled pane shows rows - 1 lines (one goes to its "newer below" line).
        const target = offsetShowing(hit.line, totalLines, chatRows - 1, limit);
        state.scrollBy(target - state.ui.scrollOffset, limit);
      };

      if (matches('stop', event)) {
        state.setSearch(null);
        return true;
      }
      if (search.typing) {
        if (event.kind === 'text' || event.kind === 'paste') {
          const typed = sanitizeForTerminal(event.text).replace(/\n/g, ' ');
          go({...search, query: search.query + typed}, (count) => count - 1);
        } else if (matches('erase', event)) {
          go({...search, query: Array.from(search.query).slice(0, -1).join('')}, (count) => count - 1);
        } else if (matches('clearInput', event)) {
          go({...search, query: ''}, () => 0);
        } else if (matches('searchPrev', event)) {
          go({...search, typing: false}, (count) => stepHit(search.current, count, -1));
        } else if (matches('searchNext', event)) {
          go({...search, typing: false}, (count) => Math.min(search.current, count - 1));
        }
        return true;
      }
      if (matches('searchNext', event)) go(search, (count) => stepHit(search.current, count, 1));
      else if (matches('searchPrev', event)) go(search, (count) => stepHit(search.current, count, -1));
      else if (matches('search', event) || (event.kind === 'text' && event.text === '/')) state.setSearch({...search, typing: true});
      return true;
    },
    [store, chatColumns, chatRows],
  );
}
