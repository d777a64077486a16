import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import type {ComposerState} from './composer-reducer.js';
import {firstVisibleRow, layoutComposer, splitAtCursor} from './composer-layout.js';
import {composerColumnsFor} from './layout.js';

export type Props = {
  readonly store: MaiStore;
  readonly state: ComposerState;
  /** The frame's width; the box spans it. */
  readonly width: number;
  /** Text rows to show (the App caps the composer's growth); longer text scrolls inside. */
  readonly rows: number;
};

/** The message being written: "> " prompt, multi-line, an inverse cell for the cursor. */
export const Composer = memo(function Composer({store, state, width, rows}: Props) {
  const busy = useStore(store, (s) => s.chat.busy);
  const {text, cursor} = state;
  const layout = layoutComposer(text, cursor, composerColumnsFor(width));
  const first = firstVisibleRow(layout, rows);
  return (
    <Box
      flexDirection="column"
      width={width}
      height={rows + 2}
      flexShrink={0}
      borderStyle="single"
      borderDimColor
      paddingX={1}
    >
      {layout.rows.slice(first, first + rows).map((row, i) => {
        const index = first + i;
        const prompt = (
          <Text color={busy ? undefined : 'cyan'} dimColor={busy}>
            {index === 0 ? '> ' : '  '}
          </Text>
        );
        if (index !== layout.cursorRow) {
          return (
            <Text key={index} wrap="truncate-end">
              {prompt}
              {text.slice(row.start, row.end)}
            </Text>
          );
        }
        const {before, under, after} = splitAtCursor(text, row, cursor);
        return (
          <Text key={index} wrap="truncate-end">
            {prompt}
            {before}
            <Text inverse>{under}</Text>
            {after}
          </Text>
        );
      })}
    </Box>
  );
});
