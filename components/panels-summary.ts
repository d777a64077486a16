import type {HostResources, PressureLevel, State} from '../src/store.js';
import {LOCAL_HOST} from '../src/store.js';
import {worseLevel} from '../src/monitor/pressure.js';
import {formatGiBPair, formatPercent} from '../src/util/format.js';
import {oneLine} from './status-line.js';

// The narrow layout's one line for the right column it folds away (DESIGN.md §8): the model, CPU,
// RAM and the worst pressure level, as strings a selector can compare, so a sample re-renders the
// line only when a figure on it changes.

/** "CPU 37% · RAM 12.0/24.0G", "CPU … · RAM …" before the first sample. */
export function resourceFigures(host: HostResources | undefined): string {
  const cpu = host?.cpu ? formatPercent(host.cpu.totalPct) : '…';
  const memory = host?.memory;
  const ram = memory ? formatGiBPair(memory.totalBytes - memory.availableBytes, memory.totalBytes) : '…';
  return `CPU ${cpu} · RAM ${ram}`;
}

/** The worst level of CPU, RAM and VRAM. */
export function worstPressure(host: HostResources | undefined): PressureLevel {
  if (!host) return 'ok';
  return worseLevel(worseLevel(host.pressure.cpu, host.pressure.ram), host.pressure.vram);
}

export const selectResourceFigures = (s: State) => resourceFigures(s.resources[LOCAL_HOST]);
export const selectWorstPressure = (s: State) => worstPressure(s.resources[LOCAL_HOST]);
export const selectModelName = (s: State) => (s.models.currentKey === null ? 'none' : oneLine(s.models.currentKey));
