import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {NOTICE_COLORS, oneLine} from './status-line.js';

export type Props = {
  readonly store: MaiStore;
  /** The rows it takes (what the keys leave), its title and the blank line under it included. */
  readonly rows: number;
};

/** "12:04:31" in the terminal's local time. */
function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/**
 * The last few notices whole, newest last: the status bar shows only the latest, cut to its width,
 * and a long warning (a model that cannot be used, and why) is the one a user wants to read.
 */
export function RecentNotices({store, rows}: Props) {
  const notices = useStore(store, (s) => s.ui.recentNotices);
  // A title and one line at least, and the blank line that parts it from the footer.
  if (notices.length === 0 || rows < 3) return null;
  // At the bottom of its rows, over the footer. Where the rows are too few for all of them, the
  // oldest go first (cut at the top, as the chat is).
  return (
    <Box flexDirection="column" height={rows - 1} flexShrink={0} justifyContent="flex-end" marginBottom={1}>
      <Box flexShrink={0}>
        <Text bold>Recent notices</Text>
      </Box>
      <Box flexDirection="column" flexShrink={1} justifyContent="flex-end" overflowY="hidden">
        {/* Each notice whole or not at all: a Text alone would be shrunk with the others. */}
        {notices.map((notice, i) => (
          <Box key={`${notice.at}-${i}`} flexShrink={0}>
            <Text wrap="wrap">
              <Text dimColor>{`${clock(notice.at)} `}</Text>
              <Text color={NOTICE_COLORS[notice.level]}>{oneLine(notice.text)}</Text>
            </Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
