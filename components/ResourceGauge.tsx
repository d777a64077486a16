import {memo} from 'react';
import {useStore} from 'zustand';
import type {GaugeStyle} from '../src/util/format.js';
import {gaugeRowIds} from '../src/monitor/gauge-rows.js';
import {LOCAL_HOST, type HostId, type MaiStore} from '../src/store.js';
import {GaugeRow} from './GaugeRow.js';
import {PANEL_CHROME_COLUMNS} from './layout.js';
import {Panel} from './Panel.js';

export type Props = {
  readonly store: MaiStore;
  /** Outer size, borders included. */
  readonly width: number;
  readonly height: number;
  /** Block characters (▁▂▃…█) instead of braille for the sparklines and bars. */
  readonly ascii?: boolean;
  readonly host?: HostId;
};

/**
 * A host's CPU, RAM (mai's models and the rest), swap, and VRAM per GPU or "no GPU". It selects only
 * which rows there are (a string); each row selects its own strings, so a sample re-renders just
 * the rows whose text changed.
 */
export const ResourceGauge = memo(function ResourceGauge({store, width, height, ascii = false, host = LOCAL_HOST}: Props) {
  const ids = useStore(store, (s) => gaugeRowIds(s.resources[host]));
  const style: GaugeStyle = ascii ? 'block' : 'braille';
  const columns = width - PANEL_CHROME_COLUMNS;
  return (
    <Panel title="resources" width={width} height={height}>
      {ids.split(',').map((id) => (
        <GaugeRow key={id} store={store} host={host} id={id} columns={columns} style={style} />
      ))}
    </Panel>
  );
});
