import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../../src/store.js';
import {activeBindings} from '../keys.js';
import {hitCount} from './chat-search.js';
import {chatHits} from './search-hits.js';

export type Props = {
  readonly store: MaiStore;
  readonly width: number;
  /** The chat pane's text columns: hits are counted on the lines as drawn. */
  readonly chatColumns: number;
};

/** The status row while searching: "search: gguf▏ 3/12 · n/N next/previous · Esc leaves". */
export const SearchBar = memo(function SearchBar({store, width, chatColumns}: Props) {
  const search = useStore(store, (s) => s.view.search);
  const messages = useStore(store, (s) => s.chat.messages);
  const thinkingShown = useStore(store, (s) => s.view.thinkingShown);
  if (!search) return null;
  const {hits} = chatHits(messages, chatColumns, search.query, {thinkingShown});
  const count = hitCount(search.current, hits.length, search.query);
  const help = search.typing
    ? `${activeBindings().searchNext.keys.split(', ')[1] ?? 'Enter'} to the hits · Esc leaves`
    : `${activeBindings().searchNext.keys.split(', ')[0] ?? 'n'}/${activeBindings().searchPrev.keys.split(', ')[0] ?? 'N'} next/previous · / edits · Esc leaves`;
  return (
    <Box width={width} height={1} paddingX={1} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text color="cyan">search: </Text>
        <Text>{search.query}</Text>
        {search.typing ? <Text inverse> </Text> : null}
        {count ? <Text color={hits.length === 0 ? 'yellow' : undefined} bold>{` ${count}`}</Text> : null}
        <Text dimColor>{` · ${help}`}</Text>
      </Text>
    </Box>
  );
});
