import {Box, Text} from 'ink';
import type {MaiStore} from '../src/store.js';
import {fitToWidth} from '../src/util/format.js';
import {activeBindings, helpSections, keyProblems} from './keys.js';
import {PANEL_CHROME_COLUMNS} from './layout.js';
import {Panel} from './Panel.js';
import {RecentNotices} from './RecentNotices.js';
import {oneLine} from './status-line.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included: it covers the chat and the right column. */
  readonly width: number;
  readonly height: number;
};

const KEYS_COLUMNS = 18;
/** Two columns of sections when each gets at least this much. */
const MIN_COLUMN_WIDTH = 44;

/**
 * The keys, generated from the key table (keys.ts), so the help always says what the code does;
 * under them the last notices, whole.
 */
export function HelpOverlay({store, width, height}: Props) {
  const inner = width - PANEL_CHROME_COLUMNS;
  const twoColumns = inner >= MIN_COLUMN_WIDTH * 2 + 2;
  const columnWidth = twoColumns ? Math.floor((inner - 2) / 2) : inner;
  const sections = helpSections();
  const bindings = activeBindings();
  const half = Math.ceil(sections.length / 2);
  const groups = twoColumns ? [sections.slice(0, half), sections.slice(half)] : [sections];
  // The keys come first; the notices get the rows they leave: the panel's, less its title line and
  // bottom border, the footer lines, and each column's sections (a title, the keys, a blank line).
  const problems = keyProblems();
  const keysRows = Math.max(...groups.map((group) => group.reduce((rows, section) => rows + section.ids.length + 2, 0)));
  const noticeRows = height - 2 - (problems.length + 1) - keysRows;
  return (
    <Panel title="help" width={width} height={height}>
      <Box flexDirection="row" flexGrow={1} gap={2} overflow="hidden">
        {groups.map((group, g) => (
          <Box key={g} flexDirection="column" width={columnWidth} flexShrink={0}>
            {group.map((section) => (
              <Box key={section.title} flexDirection="column" marginBottom={1} flexShrink={0}>
                <Text bold>{section.title}</Text>
                {section.ids.map((id) => (
                  <Text key={id} wrap="truncate-end">
                    <Text color="cyan">{fitToWidth(bindings[id].keys, KEYS_COLUMNS)}</Text>
                    {bindings[id].description}
                  </Text>
                ))}
              </Box>
            ))}
          </Box>
        ))}
      </Box>
      <RecentNotices store={store} rows={noticeRows} />
      {/* The keys give up rows in a short terminal (cut at the bottom); these lines never do. */}
      <Box flexDirection="column" flexShrink={0}>
        {problems.map((problem) => (
          <Text key={problem} color="yellow" wrap="truncate-end">
            {oneLine(problem)}
          </Text>
        ))}
        <Text dimColor wrap="truncate-end">
          {`${bindings.stop.keys}, ${bindings.help.keys} close this help`}
        </Text>
      </Box>
    </Panel>
  );
}
