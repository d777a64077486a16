import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {BackendStatusLine} from './BackendStatusLine.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {modelFacts, modelLine, modelName, modelWindow} from './model-line.js';
import {Panel} from './Panel.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included. */
  readonly width: number;
  readonly height: number;
};

/**
 * Every known model in catalogue order: ● current / ○ other, key, tier, size, and marks for demo
 * models, load progress, ✗ failed or unusable, · does not fit in memory now. When the box has two
 * rows per model, the key has a line of its own: model names are long, and cut names look alike.
 * With LM Studio configured, the models it runs say so, and the last row says how LM Studio is.
 */
export const ModelPanel = memo(function ModelPanel({store, width, height}: Props) {
  const entries = useStore(store, (s) => s.models.entries);
  const currentKey = useStore(store, (s) => s.models.currentKey);
  const status = useStore(store, (s) => s.models.status);
  const backends = useStore(store, (s) => s.backends);
  const columns = width - PANEL_CHROME_COLUMNS;
  const remote = Object.values(backends);
  const showSources = remote.length > 0;
  // The backend rows come first off the box's height: they explain why models come and go.
  const backendRows = Math.min(remote.length, Math.max(0, height - PANEL_CHROME_ROWS - 1));
  const rows = Math.max(1, height - PANEL_CHROME_ROWS - backendRows);
  const footer = remote.slice(0, backendRows).map((backend) => <BackendStatusLine key={backend.id} status={backend} />);

  if (entries.length === 0) {
    return (
      <Panel title="models" width={width} height={height}>
        <Box flexDirection="column" flexGrow={1}>
          <Text dimColor>no models yet</Text>
        </Box>
        {footer}
      </Panel>
    );
  }
  const twoLines = entries.length * 2 <= rows;
  const {start, end} = modelWindow(entries.length, entries.findIndex((e) => e.key === currentKey), rows);
  const hidden = entries.length - (end - start);
  return (
    <Panel title="models" width={width} height={height}>
      <Box flexDirection="column" flexGrow={1}>
        {entries.slice(start, end).map((entry) => {
          const current = entry.key === currentKey;
          if (twoLines) {
            const facts = modelFacts(entry, status[entry.key], showSources);
            return (
              <Box key={`${entry.backendId}:${entry.key}`} flexDirection="column">
                <Text wrap="truncate-end">
                  <Text color={current ? 'green' : undefined} dimColor={!current}>
                    {current ? '● ' : '○ '}
                  </Text>
                  <Text bold={current} dimColor={facts.failed || facts.tooBig}>
                    {modelName(entry, columns)}
                  </Text>
                </Text>
                <Text wrap="truncate-end" dimColor>
                  {`  ${entry.tier} · ${facts.size}`}
                  {facts.demo ? <Text color="magenta"> · demo</Text> : null}
                  {facts.loading ? <Text color="yellow">{` · ${facts.loading}`}</Text> : null}
                  {facts.failed ? <Text color="red"> · ✗ unusable</Text> : null}
                  {facts.tooBig ? <Text> · too big</Text> : null}
                  {/* Last: on a narrow panel, progress and failures matter more than where it runs. */}
                  {facts.source ? <Text color="cyan">{` · ${facts.source}`}</Text> : null}
                </Text>
              </Box>
            );
          }
          const line = modelLine(entry, status[entry.key], current, columns, showSources);
          return (
            <Text key={`${entry.backendId}:${entry.key}`} wrap="truncate-end">
              <Text color={line.current ? 'green' : undefined} dimColor={!line.current}>
                {line.current ? '● ' : '○ '}
              </Text>
              <Text bold={line.current} dimColor={line.failed || line.tooBig}>
                {line.key}
              </Text>
              <Text dimColor>{` ${line.tier} `}</Text>
              {line.size}
              {line.lmstudio ? <Text color="cyan"> lms</Text> : null}
              {line.demo ? <Text color="magenta"> demo</Text> : null}
              {line.loading ? <Text color="yellow">{` ${line.loading}`}</Text> : null}
              {line.failed ? <Text color="red"> ✗</Text> : null}
              {line.tooBig ? <Text dimColor> ·</Text> : null}
            </Text>
          );
        })}
        {hidden > 0 ? <Text dimColor>{`  +${hidden} more`}</Text> : null}
      </Box>
      {footer}
    </Panel>
  );
});
