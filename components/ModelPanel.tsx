import {memo} from 'react';
import {Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {modelLine, modelWindow} from './model-line.js';
import {Panel} from './Panel.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included. */
  readonly width: number;
  readonly height: number;
};

/**
 * Every known model in catalogue order: ● current / ○ other, key, tier, size, and marks for demo
 * models, load progress, ✗ failed or unusable, · does not fit in memory now.
 */
export const ModelPanel = memo(function ModelPanel({store, width, height}: Props) {
  const entries = useStore(store, (s) => s.models.entries);
  const currentKey = useStore(store, (s) => s.models.currentKey);
  const status = useStore(store, (s) => s.models.status);
  const columns = width - PANEL_CHROME_COLUMNS;
  const rows = Math.max(1, height - PANEL_CHROME_ROWS);

  if (entries.length === 0) {
    return (
      <Panel title="models" width={width} height={height}>
        <Text dimColor>no models yet</Text>
      </Panel>
    );
  }
  const {start, end} = modelWindow(entries.length, entries.findIndex((e) => e.key === currentKey), rows);
  const hidden = entries.length - (end - start);
  return (
    <Panel title="models" width={width} height={height}>
      {entries.slice(start, end).map((entry) => {
        const line = modelLine(entry, status[entry.key], entry.key === currentKey, columns);
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
            {line.demo ? <Text color="magenta"> demo</Text> : null}
            {line.loading ? <Text color="yellow">{` ${line.loading}`}</Text> : null}
            {line.failed ? <Text color="red"> ✗</Text> : null}
            {line.tooBig ? <Text dimColor> ·</Text> : null}
          </Text>
        );
      })}
      {hidden > 0 ? <Text dimColor>{`  +${hidden} more`}</Text> : null}
    </Panel>
  );
});
