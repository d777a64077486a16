import {memo} from 'react';
import {Text} from 'ink';
import {useStore} from 'zustand';
import {LOCAL_HOST, type MaiStore, type State} from '../src/store.js';
import {formatGiBPair, formatPercent, type GaugeStyle} from '../src/format.js';
import {GaugeLine, LABEL_COLUMNS} from './GaugeLine.js';
import {PANEL_CHROME_COLUMNS} from './layout.js';
import {Panel} from './Panel.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included. */
  readonly width: number;
  readonly height: number;
  /** Block characters (▁▂▃…█) instead of braille for the sparklines and bars. */
  readonly ascii?: boolean;
};

const NO_HISTORY: readonly number[] = [];

const local = (s: State) => s.resources[LOCAL_HOST];

/** The local machine's CPU, RAM and VRAM (GPUs come later: "no GPU" for now). */
export const ResourceGauge = memo(function ResourceGauge({store, width, height, ascii = false}: Props) {
  const cpu = useStore(store, (s) => local(s)?.cpu ?? null);
  const memory = useStore(store, (s) => local(s)?.memory ?? null);
  // The monitor records CPU history in percent and RAM history as a used fraction (0-1).
  const cpuHistory = useStore(store, (s) => local(s)?.cpuHistory ?? NO_HISTORY);
  const ramHistory = useStore(store, (s) => local(s)?.ramHistory ?? NO_HISTORY);
  const style: GaugeStyle = ascii ? 'block' : 'braille';
  const columns = width - PANEL_CHROME_COLUMNS;
  // Used = what is not available (MemAvailable), not total - free: caches count as available.
  const ramUsed = memory ? memory.totalBytes - memory.availableBytes : 0;
  const ramKnown = memory !== null && memory.totalBytes > 0;
  return (
    <Panel title="resources" width={width} height={height}>
      <GaugeLine
        label="CPU"
        share={cpu ? cpu.totalPct / 100 : null}
        value={cpu ? formatPercent(cpu.totalPct).padStart(4) : ''}
        history={cpuHistory}
        historyMax={100}
        columns={columns}
        style={style}
      />
      <GaugeLine
        label="RAM"
        share={ramKnown ? ramUsed / memory.totalBytes : null}
        value={ramKnown ? formatGiBPair(ramUsed, memory.totalBytes) : ''}
        history={ramHistory}
        historyMax={100}
        columns={columns}
        style={style}
      />
      <Text wrap="truncate-end">
        {'VRAM'.padEnd(LABEL_COLUMNS)}
        <Text dimColor>no GPU</Text>
      </Text>
    </Panel>
  );
});
