import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {ChatLineView} from './ChatLineView.js';
import {KEY_BINDINGS} from './keys.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {chatWindow, scrollLimit} from './MessageLines.js';
import {chatHits} from './chat/search-hits.js';
import {editingLine, queuedLine} from './chat/queued-line.js';
import {Panel} from './Panel.js';
import {StreamingTail} from './StreamingTail.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size of the pane, borders included. */
  readonly width: number;
  readonly height: number;
};

const HINT = [
  `${KEY_BINDINGS.send.keys} sends`,
  `${KEY_BINDINGS.newline.keys} new line`,
  `${KEY_BINDINGS.help.keys} help`,
  `${KEY_BINDINGS.nextModel.keys}/${KEY_BINDINGS.prevModel.keys} switch model`,
];

/**
 * The conversation as a windowed list (STYLE.md 5: full screen has no scrollback, so no <Static>):
 * only the lines that fit are rendered, bottom-aligned, with the streaming reply as the live tail.
 * While the user has scrolled up (PgUp) the window stays put and the tail is hidden behind a
 * "newer below" line; at offset 0 it follows new output.
 */
export const ChatPane = memo(function ChatPane({store, width, height}: Props) {
  const messages = useStore(store, (s) => s.chat.messages);
  const scrollOffset = useStore(store, (s) => s.ui.scrollOffset);
  const streaming = useStore(store, (s) => s.chat.streaming !== null);
  const thinkingShown = useStore(store, (s) => s.view.thinkingShown);
  const search = useStore(store, (s) => s.view.search);
  const queued = useStore(store, queuedLine);
  const editing = useStore(store, editingLine);
  const options = {thinkingShown};
  const columns = Math.max(1, width - PANEL_CHROME_COLUMNS);
  const rows = Math.max(1, height - PANEL_CHROME_ROWS);

  if (messages.length === 0 && !streaming && !queued) {
    return (
      <Panel title="chat" width={width} height={height}>
        <Text dimColor>No messages yet. Type below to start.</Text>
        {HINT.map((line) => (
          <Text key={line} dimColor wrap="truncate-end">
            {`  ${line}`}
          </Text>
        ))}
      </Panel>
    );
  }

  // Capped at the offset asked for: at the bottom only the messages on screen are wrapped.
  const offset = scrollLimit(messages, columns, rows, scrollOffset, options);
  const scrolled = offset > 0;
  const view = chatWindow(messages, columns, scrolled ? rows - 1 : rows, offset, options);
  // The search's hits on screen: the window's first line is line `first` of the whole chat.
  const found = search && search.query !== '' ? chatHits(messages, columns, search.query, options) : null;
  const first = found ? found.totalLines - view.offset - view.lines.length : 0;
  const currentHit = found?.hits[search?.current ?? 0];
  return (
    <Panel title="chat" width={width} height={height}>
      {/* Bottom-aligned; with the live tail below, the oldest lines are clipped at the top. Only rows
          are clipped: every line is wrapped to the width already, and a horizontal clip made Ink
          slice each line of the pane again on every frame. */}
      <Box flexDirection="column" flexGrow={1} justifyContent="flex-end" overflowY="hidden">
        <Box flexDirection="column" flexShrink={0}>
          {view.lines.map((line, i) => (
            <ChatLineView
              key={i}
              line={line}
              {...(found && search ? {query: search.query, currentStart: currentHit?.line === first + i ? currentHit.start : null} : {})}
            />
          ))}
        </Box>
        {streaming && !scrolled ? <StreamingTail store={store} width={columns} rows={rows} /> : null}
        {(queued ?? editing) && !scrolled ? (
          <Text dimColor wrap="truncate-end">
            {queued ?? editing}
          </Text>
        ) : null}
      </Box>
      {scrolled ? (
        <Text dimColor wrap="truncate-end">
          {`↓ ${view.offset} newer lines · ${KEY_BINDINGS.scrollDown.keys}${streaming ? ' · reply in progress' : ''}`}
        </Text>
      ) : null}
    </Panel>
  );
});
