import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import type {ComposerState} from './composer-reducer.js';
import {composerWindow, splitAtCursor} from './composer-layout.js';
import {composerColumnsFor} from './layout.js';
import {labelPastes} from './pasted-blocks.js';

export type Props = {
  readonly store: MaiStore;
  readonly state: ComposerState;
  /** The frame's width; the box spans it. */
  readonly width: number;
  /** Text rows to show (the App caps the composer's growth); longer text scrolls inside. */
  readonly rows: number;
};

/**
 * The message being written: "> " prompt, multi-line, an inverse cell for the cursor. A large
 * paste shows as its label ("[pasted 1.0 MB, 16,000 lines]"), or, expanded, its label and its
 * lines dimmed below. Only the rows on screen are laid out (composer-layout.ts).
 */
export const Composer = memo(function Composer({store, state, width, rows}: Props) {
  const busy = useStore(store, (s) => s.chat.busy);
  const {text, cursor, pastes = []} = state;
  const view = composerWindow(state, composerColumnsFor(width), rows);
  const shown = (part: string) => labelPastes(part, pastes);
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
      {view.rows.map((row, i) => {
        const prompt = (
          <Text color={busy ? undefined : 'cyan'} dimColor={busy}>
            {i === 0 && view.atTop ? '> ' : '  '}
          </Text>
        );
        if (row.kind === 'pasted') {
          return (
            <Text key={i} wrap="truncate-end">
              {prompt}
              <Text dimColor>{row.text}</Text>
            </Text>
          );
        }
        if (i !== view.cursorRow) {
          return (
            <Text key={i} wrap="truncate-end">
              {prompt}
              {shown(text.slice(row.start, row.end))}
            </Text>
          );
        }
        const {before, under, after} = splitAtCursor(text, row, cursor);
        return (
          <Text key={i} wrap="truncate-end">
            {prompt}
            {shown(before)}
            <Text inverse>{shown(under)}</Text>
            {shown(after)}
          </Text>
        );
      })}
    </Box>
  );
});
