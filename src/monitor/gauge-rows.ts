import stringWidth from 'string-width';
import {bar, formatBytes, formatGiBPair, formatPercent, sparkline, truncateToWidth, type GaugeStyle} from '../util/format.js';
import {sanitizeForTerminal} from '../util/sanitize.js';
import type {GpuSample, HostId, HostResources, PressureLevel, State} from '../store.js';

// What each row of the resource gauge shows, as plain strings (pure, no React): the component
// selects one row's strings with a shallow comparison, so a sample that changes nothing visible
// (the same rounded figure, the same sparkline cells) causes no render and no frame.

/** Label and pressure mark: "CPU   ", "RAM!  " (elevated), "VRAM!!" (critical). */
export const LABEL_COLUMNS = 6;
const MARKS: Readonly<Record<PressureLevel, string>> = {ok: '', elevated: '!', critical: '!!'};

export type RowLevel = PressureLevel | 'none';

export type GaugeRowView = {
  /** Label and mark, padded to LABEL_COLUMNS. */
  readonly label: string;
  /** The colour of the bar; 'none' for a figure without pressure levels (swap). */
  readonly level: RowLevel;
  /** The bar in three parts: mai's models (RAM only), the rest in use, the empty track. */
  readonly modelBar: string;
  readonly usedBar: string;
  readonly trackBar: string;
  /** " 37%", " 12.1/24.0G". */
  readonly value: string;
  /** " ⣀⣤⣶⣿" or "". */
  readonly spark: string;
  /** Text in the models' colour: "models 1.2G" (the legend of the RAM bar's first part). */
  readonly legend: string;
  /** Dim text: "no GPU", "…", " · other 9.7G", a GPU's name. */
  readonly note: string;
};

const EMPTY_ROW: GaugeRowView = {label: '', level: 'none', modelBar: '', usedBar: '', trackBar: '', value: '', spark: '', legend: '', note: ''};

function label(text: string, level: PressureLevel = 'ok'): string {
  return `${text}${MARKS[level]}`.padEnd(LABEL_COLUMNS);
}

function noteRow(name: string, note: string, columns: number, level: PressureLevel = 'ok'): GaugeRowView {
  return {...EMPTY_ROW, label: label(name, level), note: truncateToWidth(note, columns - LABEL_COLUMNS)};
}

type Meter = {
  readonly name: string;
  readonly level: RowLevel;
  readonly share: number;
  /** The part of `share` that is mai's models (RAM). */
  readonly modelShare?: number;
  readonly value: string;
  readonly history?: readonly number[];
};

/** "CPU   ⣿⣿⡇⣀ 37% ⣀⣤⣶⣿": after the label and the figure, the bar gets about 45 % (at most 8 cells), the sparkline the rest. */
function meterRow({name, level, share, modelShare = 0, value, history}: Meter, columns: number, style: GaugeStyle): GaugeRowView {
  const room = Math.max(0, columns - LABEL_COLUMNS - stringWidth(value) - 2);
  const barCells = room < 6 || !history ? Math.min(room, 8) : Math.min(8, Math.floor(room * 0.45));
  const sparkCells = history ? room - barCells : 0;
  const drawn = bar(share, barCells, style);
  // Every bar character is one code unit: the filled part ends where the empty track begins.
  const track = style === 'braille' ? '⣀' : '░';
  const filled = drawn.replace(new RegExp(`${track}+$`), '').length;
  const modelCells = Math.min(filled, Math.round(Math.min(modelShare, share) * barCells));
  return {
    ...EMPTY_ROW,
    label: label(name, level === 'none' ? 'ok' : level),
    level,
    modelBar: drawn.slice(0, modelCells),
    usedBar: drawn.slice(modelCells, filled),
    trackBar: drawn.slice(filled),
    value: ` ${value}`,
    spark: sparkCells > 0 && history ? ` ${sparkline(history, sparkCells, style, 100)}` : '',
  };
}

/** The rows the gauge shows for this host, as one string (ids joined by ","), stable across samples. */
export function gaugeRowIds(host: HostResources | undefined): string {
  const ids = ['cpu', 'ram', 'ram-split'];
  if (host?.memory && host.memory.swapTotalBytes > 0) ids.push('swap');
  const gpus = host?.gpus;
  if (!gpus || gpus.length === 0) ids.push('vram');
  else
    gpus.forEach((gpu, i) => {
      ids.push(`gpu:${i}`);
      if (hasOwnMemory(gpu)) ids.push(`gpu-name:${i}`);
    });
  return ids.join(',');
}

function hasOwnMemory(gpu: GpuSample): boolean {
  return !gpu.sharedMemory && gpu.vramTotalBytes !== null && gpu.vramUsedBytes !== null && gpu.vramTotalBytes > 0;
}

function modelBytes(host: HostResources): number {
  return Object.values(host.modelRssBytes).reduce((sum, bytes) => sum + bytes, 0);
}

/** The strings of one row (`id` from gaugeRowIds) at `columns` text columns. */
export function gaugeRow(host: HostResources | undefined, id: string, columns: number, style: GaugeStyle): GaugeRowView {
  const [kind, indexText] = id.split(':');
  switch (kind) {
    case 'cpu': {
      if (!host?.cpu) return noteRow('CPU', '…', columns);
      const {totalPct} = host.cpu;
      return meterRow(
        {name: 'CPU', level: host.pressure.cpu, share: totalPct / 100, value: formatPercent(totalPct).padStart(4), history: host.cpuHistory},
        columns,
        style,
      );
    }
    case 'ram': {
      const memory = host?.memory;
      if (!host || !memory || memory.totalBytes <= 0) return noteRow('RAM', '…', columns);
      // Used = what is not available (MemAvailable), not total - free: caches count as available.
      const used = memory.totalBytes - memory.availableBytes;
      return meterRow(
        {
          name: 'RAM',
          level: host.pressure.ram,
          share: used / memory.totalBytes,
          modelShare: Math.min(used, modelBytes(host)) / memory.totalBytes,
          value: formatGiBPair(used, memory.totalBytes),
          history: host.ramHistory,
        },
        columns,
        style,
      );
    }
    case 'ram-split': {
      const memory = host?.memory;
      if (!host || !memory) return EMPTY_ROW;
      const used = memory.totalBytes - memory.availableBytes;
      const models = Math.min(used, modelBytes(host));
      return splitRow(models, used - models, columns);
    }
    case 'swap': {
      const memory = host?.memory;
      if (!memory) return EMPTY_ROW;
      return meterRow({name: 'Swap', level: 'none', share: memory.swapUsedBytes / memory.swapTotalBytes, value: formatGiBPair(memory.swapUsedBytes, memory.swapTotalBytes)}, columns, style);
    }
    case 'vram':
      return noteRow('VRAM', host?.gpus ? 'no GPU' : '…', columns);
    case 'gpu':
    case 'gpu-name': {
      const index = Number(indexText);
      const sample = host?.gpus?.[index];
      if (!host?.gpus || !sample) return EMPTY_ROW;
      // Readers sanitize names already; a host's figures may come from elsewhere one day (DESIGN.md §9).
      const gpu = {...sample, name: sanitizeForTerminal(sample.name).replace(/\s+/g, ' ')};
      const name = host.gpus.length === 1 ? 'VRAM' : `GPU${index}`;
      const level = host.pressure.gpus[index] ?? 'ok';
      if (kind === 'gpu-name') {
        const busy = gpu.utilizationPct === null ? '' : `${formatPercent(gpu.utilizationPct)} busy · `;
        return {...EMPTY_ROW, label: ''.padEnd(LABEL_COLUMNS), note: truncateToWidth(`${busy}${gpu.name}`, columns - LABEL_COLUMNS)};
      }
      if (gpu.sharedMemory) return noteRow(name, `shared with RAM · ${gpu.name}`, columns);
      if (!hasOwnMemory(gpu)) return noteRow(name, `${gpu.name} (memory not reported)`, columns);
      const used = gpu.vramUsedBytes ?? 0;
      const total = gpu.vramTotalBytes ?? 1;
      return meterRow({name, level, share: used / total, value: formatGiBPair(used, total), history: host.vramHistory[index] ?? []}, columns, style);
    }
    default:
      return EMPTY_ROW;
  }
}

// The split row is indented less than the bars: at the usual 26 columns the whole of
// "models 1.2G · other 9.7G" fits only that way.
const SPLIT_INDENT = 2;

/** "models 1.2G · other 9.7G", shortened to what fits. */
function splitRow(models: number, other: number, columns: number): GaugeRowView {
  const room = columns - SPLIT_INDENT;
  const legend = `models ${models > 0 ? formatBytes(models) : 'none'}`;
  const rest = [` · other ${formatBytes(other)}`, ` other ${formatBytes(other)}`, ''].find((text) => stringWidth(legend + text) <= room) ?? '';
  return {...EMPTY_ROW, label: ''.padEnd(SPLIT_INDENT), legend: truncateToWidth(legend, room), note: rest};
}

function sameRow(a: GaugeRowView, b: GaugeRowView): boolean {
  return (Object.keys(a) as (keyof GaugeRowView)[]).every((key) => a[key] === b[key]);
}

/**
 * A selector of one row's view that computes it once per sample of the host, not on every store
 * update (a streaming reply updates the store up to 20 times a second).
 */
export function gaugeRowSelector(host: HostId, id: string, columns: number, style: GaugeStyle): (state: State) => GaugeRowView {
  let seen: HostResources | undefined;
  let view: GaugeRowView | undefined;
  return (state) => {
    const resources = state.resources[host];
    if (view === undefined || resources !== seen) {
      seen = resources;
      const next = gaugeRow(resources, id, columns, style);
      // The same strings keep the same object: the row's component then compares one reference.
      if (view === undefined || !sameRow(view, next)) view = next;
    }
    return view;
  };
}
