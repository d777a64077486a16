import type {StateCreator} from 'zustand/vanilla';
import type {PressureLevel} from '../monitor/pressure.js';
import type {MaiState} from '../store.js';

// The resources slice: what the ResourceMonitor measured, per host (the local machine is `local`;
// remote hosts report theirs, DESIGN.md §9). Its one writer is the ResourceMonitor.

export type HostId = string;
export const LOCAL_HOST: HostId = 'local';

export type CpuSample = {readonly totalPct: number; readonly perCorePct: readonly number[]};
export type MemorySample = {
  readonly totalBytes: number;
  /** What can be allocated without swapping (MemAvailable), not "free". */
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly swapTotalBytes: number;
  readonly swapUsedBytes: number;
};

export type GpuSample = {
  readonly index: number;
  /** As the driver names it, sanitized (it reaches the terminal). */
  readonly name: string;
  /** null when the GPU does not report it. */
  readonly vramUsedBytes: number | null;
  readonly vramTotalBytes: number | null;
  readonly utilizationPct: number | null;
  /** Unified or integrated memory (Apple Silicon): the GPU's memory is the machine's RAM. */
  readonly sharedMemory: boolean;
};

export type {PressureLevel};

/** A level per resource; `vram` is the worst GPU's, and `gpus` follows the order of `HostResources.gpus`. */
export type PressureLevels = {
  readonly cpu: PressureLevel;
  readonly ram: PressureLevel;
  readonly vram: PressureLevel;
  readonly gpus: readonly PressureLevel[];
};

export type PressureResource = 'cpu' | 'ram' | 'vram';

/** A pressure level change: an event in the store (and in the event log). */
export type PressureChange = {
  readonly resource: PressureResource;
  /** The GPU's index, for VRAM. */
  readonly gpu?: number;
  readonly from: PressureLevel;
  readonly to: PressureLevel;
  /** The smoothed value the decision was taken on: CPU % used, or RAM / VRAM % free. */
  readonly value: number;
  readonly at: number;
};

/** The values the pressure levels are decided on (EWMA, see monitor/pressure.ts). */
export type SmoothedResources = {
  readonly cpuPct: number;
  readonly ramFreePct: number;
  /** Per entry of `gpus`; null for a GPU without its own memory figures. */
  readonly vramFreePct: readonly (number | null)[];
};

export type HostResources = {
  readonly cpu: CpuSample | null;
  readonly memory: MemorySample | null;
  /** null until the GPUs are known; [] when the host has none ("no GPU"). */
  readonly gpus: readonly GpuSample[] | null;
  /** Percent (0-100), oldest first, at most HISTORY_LENGTH samples, for sparklines. */
  readonly cpuHistory: readonly number[];
  /** Percent of RAM in use (total - available), like cpuHistory. */
  readonly ramHistory: readonly number[];
  /** Percent of VRAM in use, per entry of `gpus`, like cpuHistory. */
  readonly vramHistory: readonly (readonly number[])[];
  readonly smoothed: SmoothedResources | null;
  /** The same object until a level changes, so a selector on it re-renders only on a change. */
  readonly pressure: PressureLevels;
  /** The latest level changes, oldest first, at most PRESSURE_CHANGES_KEPT. */
  readonly pressureChanges: readonly PressureChange[];
  /** RSS of mai's own process and of each engine host, by model key. */
  readonly maiRssBytes: number;
  readonly modelRssBytes: Readonly<Record<string, number>>;
  readonly sampledAt: number;
};

export const HISTORY_LENGTH = 120;
export const PRESSURE_CHANGES_KEPT = 50;

export const NO_PRESSURE: PressureLevels = {cpu: 'ok', ram: 'ok', vram: 'ok', gpus: []};

export function emptyHostResources(): HostResources {
  return {
    cpu: null,
    memory: null,
    gpus: null,
    cpuHistory: [],
    ramHistory: [],
    vramHistory: [],
    smoothed: null,
    pressure: NO_PRESSURE,
    pressureChanges: [],
    maiRssBytes: 0,
    modelRssBytes: {},
    sampledAt: 0,
  };
}

export type ResourcesSlice = {
  readonly resources: Readonly<Record<HostId, HostResources>>;
  setHostResources(host: HostId, resources: HostResources): void;
};

export const createResourcesSlice: StateCreator<MaiState, [], [], ResourcesSlice> = (set) => ({
  resources: {[LOCAL_HOST]: emptyHostResources()},
  setHostResources: (host, resources) => set((s) => ({resources: {...s.resources, [host]: resources}})),
});
