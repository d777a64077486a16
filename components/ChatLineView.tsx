import {Text} from 'ink';
import type {Role} from '../src/domain.js';
import type {ChatLine} from './MessageLines.js';
import {highlightSegments} from './chat/chat-search.js';

export type Props = {
  readonly line: ChatLine;
  /** A search in progress: its hits in this line are highlighted, the one the user is on (its start) most. */
  readonly query?: string;
  readonly currentStart?: number | null;
};

const ROLE_COLOR: Readonly<Record<Role, string>> = {user: 'cyan', assistant: 'green', system: 'gray'};

/** One screen line of the chat: a message header ("you", the model), a line of text, a gap, or a switch's divider. */
export function ChatLineView({line, query, currentStart = null}: Props) {
  if (line.kind === 'header') {
    return (
      <Text wrap="truncate-end">
        <Text bold color={ROLE_COLOR[line.role]}>
          {line.label}
        </Text>
        {line.interrupted ? <Text color="yellow"> [interrupted]</Text> : null}
      </Text>
    );
  }
  if (line.kind === 'divider') {
    return (
      <Text dimColor wrap="truncate-end">
        {line.text}
      </Text>
    );
  }
  if (line.kind === 'thinking' || (query && line.kind === 'text')) {
    const segments = query ? highlightSegments(line.text, query, currentStart) : [{text: line.text, hit: 'none' as const}];
    return (
      <Text wrap="truncate-end" dimColor={line.kind === 'thinking'}>
        {segments.map((segment, i) =>
          segment.hit === 'none' ? (
            segment.text
          ) : (
            <Text key={i} {...(segment.hit === 'current' ? {inverse: true} : {backgroundColor: 'yellow', color: 'black'})}>
              {segment.text}
            </Text>
          ),
        )}
        {line.text === '' ? ' ' : ''}
      </Text>
    );
  }
  // An empty <Text> takes no row in Ink; a space keeps blank lines and gaps one row tall.
  return <Text wrap="truncate-end">{line.kind === 'text' && line.text !== '' ? line.text : ' '}</Text>;
}
