import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {fitToWidth} from '../src/util/format.js';
import {HELP_KEYS_COLUMNS, helpFooter, helpFooterRows, helpLayout, type HelpCell} from './help-layout.js';
import {activeBindings, keyProblems} from './keys.js';
import {Panel} from './Panel.js';
import {NOTICE_COLORS, oneLine} from './status-line.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included: it covers the chat and the right column. */
  readonly width: number;
  readonly height: number;
};

function Cell({cell}: {readonly cell: HelpCell}) {
  switch (cell.kind) {
    case 'title':
      return (
        <Text bold wrap="truncate-end">
          {cell.text}
        </Text>
      );
    case 'key':
      return (
        <Text wrap="truncate-end">
          <Text color="cyan">{fitToWidth(cell.keys, HELP_KEYS_COLUMNS)}</Text>
          {cell.text}
        </Text>
      );
    case 'notice':
      return (
        <Text wrap="truncate-end">
          {cell.clock === null ? null : <Text dimColor>{cell.clock}</Text>}
          <Text color={NOTICE_COLORS[cell.level]}>{cell.text}</Text>
        </Text>
      );
    case 'blank':
      return <Text> </Text>;
  }
}

/**
 * The keys, generated from the key table (keys.ts), so the help always says what the code does;
 * under them the last notices, whole (the status bar cuts the latest to its width). In a terminal
 * too short for all of it, the rows scroll (↑ ↓ PgUp PgDn Home End, the wheel) and the footer says
 * where the view is; the footer never scrolls away.
 */
export function HelpOverlay({store, width, height}: Props) {
  const notices = useStore(store, (s) => s.ui.recentNotices);
  const offset = useStore(store, (s) => s.ui.helpScroll);
  const bindings = activeBindings();
  const problems = keyProblems();
  const layout = helpLayout({width, height, bindings, notices, footerRows: helpFooterRows(), offset});
  return (
    <Panel title="help" width={width} height={height}>
      <Box flexDirection="column" flexGrow={1} overflowY="hidden">
        {layout.rows.map((row, r) => (
          // Rows, not a list: a row's content changes as the view scrolls, its place does not.
          <Box key={r} flexDirection="row" gap={2} flexShrink={0}>
            {row.map((cell, c) => (
              <Box key={c} width={row.length === 1 ? layout.innerWidth : layout.columnWidth} flexShrink={0}>
                <Cell cell={cell} />
              </Box>
            ))}
          </Box>
        ))}
      </Box>
      <Box flexDirection="column" flexShrink={0}>
        {problems.map((problem) => (
          <Text key={problem} color="yellow" wrap="truncate-end">
            {oneLine(problem)}
          </Text>
        ))}
        <Text dimColor wrap="truncate-end">
          {helpFooter(bindings, layout)}
        </Text>
      </Box>
    </Panel>
  );
}
