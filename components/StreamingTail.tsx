import {Box, Text} from 'ink';
import {memo} from 'react';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {foldThinking, roleLabel, tailLines} from './MessageLines.js';

export type Props = {
  readonly store: MaiStore;
  /** The chat pane's text columns and rows. */
  readonly width: number;
  readonly rows: number;
};

/**
 * The reply being written, below the finished messages. The only component subscribed to the
 * streaming text (STYLE.md 4): a flush (every 50 ms at most) re-renders these few lines and nothing
 * else, and only the last `rows` lines of the reply are wrapped at all.
 */
export function StreamingTail({store, width, rows}: Props) {
  const model = useStore(store, (s) => s.chat.streaming?.model);
  const text = useStore(store, (s) => s.chat.streaming?.text ?? '');
  const thinkingShown = useStore(store, (s) => s.view.thinkingShown);
  const lines = tailLines(foldThinking(text, {thinkingShown}), width, rows - 1);
  const last = lines.at(-1);
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Header label={roleLabel('assistant', model)} />
      {lines.length > 1 ? <SettledLines text={lines.slice(0, -1).join('\n')} /> : null}
      {last === undefined ? null : <LastLine text={last} />}
    </Box>
  );
}

// Memoized: a flush changes the last line or two; the lines above it, the same strings, are
// neither rendered again nor handed to Ink as changed.
const Header = memo(function Header({label}: {readonly label: string}) {
  return (
    <Text wrap="truncate-end">
      <Text bold color="green">
        {label}
      </Text>
      <Text dimColor> …</Text>
    </Text>
  );
});

/**
 * The lines above the last, which a flush rarely changes (once per finished line): one text node in a
 * box of its own, so Ink replays its last operations and yoga lays out one node, not one per line.
 * The lines are wrapped to the width already: "wrap" is only the fallback for a line measured wider.
 */
const SettledLines = memo(function SettledLines({text}: {readonly text: string}) {
  return (
    <Box flexShrink={0}>
      <Text>{text === '' ? ' ' : text}</Text>
    </Box>
  );
});

/** The line a flush grows. */
const LastLine = memo(function LastLine({text}: {readonly text: string}) {
  return <Text wrap="truncate-end">{text === '' ? ' ' : text}</Text>;
});
