import {memo} from 'react';
import {Box, Text} from 'ink';
import type {BackendStatus, ModelEntry, ModelStatus} from '../src/store.js';
import {groupByHost} from './host-groups.js';
import {modelWindow} from './model-line.js';
import {ModelRow} from './ModelRow.js';

export type Props = {
  readonly entries: readonly ModelEntry[];
  readonly backends: Readonly<Record<string, BackendStatus>>;
  readonly status: Readonly<Record<string, ModelStatus>>;
  readonly currentKey: string | null;
  readonly columns: number;
  readonly rows: number;
};

/** The models grouped by host, each under a row with the host's state and latency (host-groups.ts). */
export const HostGroupedModels = memo(function HostGroupedModels({entries, backends, status, currentKey, columns, rows}: Props) {
  const all = groupByHost(entries, backends);
  const currentIndex = all.findIndex((row) => row.kind === 'model' && row.entry.key === currentKey);
  const {start, end} = modelWindow(all.length, currentIndex, rows);
  const hidden = all.length - (end - start);
  return (
    <Box flexDirection="column" flexGrow={1}>
      {all.slice(start, end).map((row) =>
        row.kind === 'host' ? (
          <Text key={`host:${row.name}`} wrap="truncate-end" dimColor={row.line.dim} bold>
            <Text color={row.line.color}>{row.line.mark}</Text>
            {` ${row.line.text}`}
          </Text>
        ) : (
          <Box key={`${row.entry.backendId}:${row.entry.key}`} paddingLeft={1}>
            <ModelRow entry={row.entry} status={status[row.entry.key]} current={row.entry.key === currentKey} columns={columns - 1} showSources />
          </Box>
        ),
      )}
      {hidden > 0 ? <Text dimColor>{`  +${hidden} more`}</Text> : null}
    </Box>
  );
});
