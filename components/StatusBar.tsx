import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import {latestNotice, type MaiStore} from '../src/store.js';
import {formatTokensPerSecond} from '../src/util/format.js';
import {contextLine} from './context-line.js';
import {keyFor} from './keys.js';
import {firstFailure, latestMessage, NOTICE_COLORS, oneLine, statusSwitch, switchingMark} from './status-line.js';

export type Props = {
  readonly store: MaiStore;
  readonly width: number;
  /** A hint from the keys that wins over everything else ("press Ctrl+C again to quit"). */
  readonly hint: string | null;
};

/** Read when drawn, not at import: the config's `keys:` may have moved stop to another key. */
export function busyHint(): string {
  return `reply in progress — ${keyFor('stop')} stops it`;
}

/** "model qwen-7b · 23 tok/s · ctx 2,310/8,192 · switched from llama-3b: RAM critical", on one line. */
export const StatusBar = memo(function StatusBar({store, width, hint}: Props) {
  const currentKey = useStore(store, (s) => s.models.currentKey);
  const tokensPerSecond = useStore(store, (s) => s.models.lastTokensPerSecond);
  const busy = useStore(store, (s) => s.chat.busy);
  const notice = useStore(store, latestNotice);
  const lastSwitch = useStore(store, statusSwitch);
  const failure = useStore(store, firstFailure);
  const switching = useStore(store, switchingMark);
  const context = contextLine(useStore(store, (s) => s.chat.context));

  const message = latestMessage(notice, lastSwitch) ?? (failure ? {text: failure, level: 'warn' as const} : null);
  return (
    <Box width={width} height={1} paddingX={1} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text dimColor>model </Text>
        <Text bold>{currentKey === null ? 'none' : oneLine(currentKey)}</Text>
        <Text dimColor> · </Text>
        {formatTokensPerSecond(tokensPerSecond)}
        {switching ? (
          <>
            <Text dimColor> · </Text>
            <Text color="yellow">{switching}</Text>
          </>
        ) : null}
        {context ? (
          <>
            <Text dimColor> · </Text>
            <Text {...(context.warn ? {color: 'yellow'} : {dimColor: true})}>{context.text}</Text>
          </>
        ) : null}
        {hint ? (
          <>
            <Text dimColor> · </Text>
            <Text color="yellow" bold>
              {hint}
            </Text>
          </>
        ) : busy ? (
          <>
            <Text dimColor> · </Text>
            <Text color="cyan">{busyHint()}</Text>
          </>
        ) : null}
        {message ? (
          <>
            <Text dimColor> · </Text>
            <Text color={NOTICE_COLORS[message.level]}>{message.text}</Text>
          </>
        ) : null}
      </Text>
    </Box>
  );
});
