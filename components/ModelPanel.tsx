import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {BackendStatusLine} from './BackendStatusLine.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {modelFacts, modelName, modelWindow} from './model-line.js';
import {Panel} from './Panel.js';
import {remoteStatuses} from './host-groups.js';
import {HostGroupedModels} from './HostGroupedModels.js';
import {ModelRow} from './ModelRow.js';

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
 * With other hosts configured, the models are grouped by host, each under its state and latency.
 */
export const ModelPanel = memo(function ModelPanel({store, width, height}: Props) {
  const entries = useStore(store, (s) => s.models.entries);
  const currentKey = useStore(store, (s) => s.models.currentKey);
  const status = useStore(store, (s) => s.models.status);
  const backends = useStore(store, (s) => s.backends);
  const columns = width - PANEL_CHROME_COLUMNS;
  const hosts = remoteStatuses(backends);
  const grouped = hosts.length > 0 || entries.some((entry) => entry.host !== undefined && entry.host !== 'local');
  // Another host's backend is said in its group's header, not in the footer.
  const remote = Object.values(backends).filter((backend) => !hosts.includes(backend));
  const showSources = remote.length > 0 || grouped;
  // The backend rows come first off the box's height: they explain why models come and go.
  const backendRows = Math.min(remote.length, Math.max(0, height - PANEL_CHROME_ROWS - 1));
  const rows = Math.max(1, height - PANEL_CHROME_ROWS - backendRows);
  const footer = remote.slice(0, backendRows).map((backend) => <BackendStatusLine key={backend.id} status={backend} />);

  if (grouped) {
    return (
      <Panel title="models" width={width} height={height}>
        <HostGroupedModels entries={entries} backends={backends} status={status} currentKey={currentKey} columns={columns} rows={rows} />
        {footer}
      </Panel>
    );
  }
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
          return <ModelRow key={`${entry.backendId}:${entry.key}`} entry={entry} status={status[entry.key]} current={current} columns={columns} showSources={showSources} />;
        })}
        {hidden > 0 ? <Text dimColor>{`  +${hidden} more`}</Text> : null}
      </Box>
      {footer}
    </Panel>
  );
});
