import {Box, Text} from 'ink';
import {MIN_COLUMNS, MIN_ROWS} from './layout.js';

export type Props = {readonly columns: number; readonly rows: number};

/** What a terminal under MIN_COLUMNS × MIN_ROWS shows instead of the frame, until it is resized. */
export function TooSmall({columns, rows}: Props) {
  return (
    <Box flexDirection="column" width={Math.max(1, columns)} height={Math.max(1, rows)} justifyContent="center" alignItems="center">
      <Text wrap="truncate-end">terminal too small</Text>
      <Text dimColor wrap="truncate-end">{`${columns}×${rows}: mai needs ${MIN_COLUMNS}×${MIN_ROWS}`}</Text>
    </Box>
  );
}
