import {Box, Text} from 'ink';
import {fitToWidth} from '../src/util/format.js';
import {activeBindings, helpSections, keyProblems} from './keys.js';
import {PANEL_CHROME_COLUMNS} from './layout.js';
import {Panel} from './Panel.js';
import {oneLine} from './status-line.js';

export type Props = {
  /** Outer size, borders included: it covers the chat and the right column. */
  readonly width: number;
  readonly height: number;
};

const KEYS_COLUMNS = 18;
/** Two columns of sections when each gets at least this much. */
const MIN_COLUMN_WIDTH = 44;

/** The keys, generated from the key table (keys.ts), so the help always says what the code does. */
export function HelpOverlay({width, height}: Props) {
  const inner = width - PANEL_CHROME_COLUMNS;
  const twoColumns = inner >= MIN_COLUMN_WIDTH * 2 + 2;
  const columnWidth = twoColumns ? Math.floor((inner - 2) / 2) : inner;
  const sections = helpSections();
  const bindings = activeBindings();
  const half = Math.ceil(sections.length / 2);
  const groups = twoColumns ? [sections.slice(0, half), sections.slice(half)] : [sections];
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
      {keyProblems().map((problem) => (
        <Text key={problem} color="yellow" wrap="truncate-end">
          {oneLine(problem)}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {`${bindings.stop.keys}, ${bindings.help.keys} close this help`}
      </Text>
    </Panel>
  );
}
