import type {ReactNode} from 'react';
import {Box, Text} from 'ink';
import stringWidth from 'string-width';

// A bordered region with its title in the top border ("┌ chat ───┐"). Ink draws no border titles,
// so the top edge is a line of text and the box below draws the other three sides. The box clips
// rows only: what goes in a panel is cut or wrapped to its width by its own Text, and a horizontal
// clip made Ink slice every line inside again on every frame (a third of a streamed frame's cost).

export type Props = {
  readonly title: string;
  /** Outer size, borders included. */
  readonly width: number;
  readonly height: number;
  readonly children?: ReactNode;
};

export function Panel({title, width, height, children}: Props) {
  const room = Math.max(0, width - 4);
  const label = stringWidth(title) > room ? title.slice(0, room) : title;
  const rule = '─'.repeat(Math.max(0, width - 4 - stringWidth(label)));
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {/* Never shrunk: where what is inside asks for more rows than the panel has (the help in a
          short terminal), yoga took them from every child in proportion, this line too. */}
      <Box flexShrink={0}>
        <Text wrap="truncate-end">
          <Text dimColor>┌ </Text>
          <Text bold>{label}</Text>
          <Text dimColor>{` ${rule}┐`}</Text>
        </Text>
      </Box>
      <Box
        flexDirection="column"
        flexGrow={1}
        borderStyle="single"
        borderTop={false}
        borderDimColor
        paddingX={1}
        overflowY="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}
