import {useMemo} from 'react';
import {useStore} from 'zustand';
import type {GaugeStyle} from '../src/util/format.js';
import {gaugeRowSelector, type GaugeRowView} from '../src/monitor/gauge-rows.js';
import type {HostId, MaiStore} from '../src/store.js';

/**
 * One gauge row's strings. The row re-renders only when one of them changes: a new sample with the
 * same rounded figure and the same sparkline cells leaves it, and the frame, alone (the selector
 * keeps the last object while its strings are the same).
 */
export function useGaugeRow(store: MaiStore, host: HostId, id: string, columns: number, style: GaugeStyle): GaugeRowView {
  const select = useMemo(() => gaugeRowSelector(host, id, columns, style), [host, id, columns, style]);
  return useStore(store, select);
}
