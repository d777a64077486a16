import type {GpuSample, HostResources, PressureLevel} from '../store.js';

// The resources part of `mai status --json` and of each `mai status --watch --json` line: a plain,
// stable document built from the store's host resources.

export type GpuStatus = GpuSample & {readonly pressure: PressureLevel};

export type ResourceStatus = {
  /** Total CPU use in percent (also in `cpu`); null before the first sample. */
  readonly cpuPct: number | null;
  readonly cpu: {readonly totalPct: number; readonly perCorePct: readonly number[]} | null;
  readonly memory: {
    readonly totalBytes: number;
    /** What can be allocated without swapping. */
    readonly availableBytes: number;
    readonly usedBytes: number;
    readonly swapTotalBytes: number;
    readonly swapUsedBytes: number;
  } | null;
  /** [] when the machine has no GPU (or none could be read). */
  readonly gpus: readonly GpuStatus[];
  readonly pressure: {readonly cpu: PressureLevel; readonly ram: PressureLevel; readonly vram: PressureLevel};
  readonly maiRssBytes: number;
  /** Resident memory of each loaded model's engine (or its estimate), by model key. */
  readonly modelRssBytes: Readonly<Record<string, number>>;
  /** Epoch milliseconds of the sample; 0 before the first. */
  readonly sampledAt: number;
};

const round1 = (value: number) => Math.round(value * 10) / 10;

export function resourceStatus(host: HostResources | undefined, maiRssBytes: number): ResourceStatus {
  const gpus = host?.gpus ?? [];
  return {
    cpuPct: host?.cpu ? round1(host.cpu.totalPct) : null,
    cpu: host?.cpu ? {totalPct: round1(host.cpu.totalPct), perCorePct: host.cpu.perCorePct.map(round1)} : null,
    memory: host?.memory
      ? {
          totalBytes: host.memory.totalBytes,
          availableBytes: host.memory.availableBytes,
          usedBytes: host.memory.usedBytes,
          swapTotalBytes: host.memory.swapTotalBytes,
          swapUsedBytes: host.memory.swapUsedBytes,
        }
      : null,
    gpus: gpus.map((gpu, i) => ({...gpu, pressure: host?.pressure.gpus[i] ?? 'ok'})),
    pressure: {cpu: host?.pressure.cpu ?? 'ok', ram: host?.pressure.ram ?? 'ok', vram: host?.pressure.vram ?? 'ok'},
    maiRssBytes,
    modelRssBytes: host?.modelRssBytes ?? {},
    sampledAt: host?.sampledAt ?? 0,
  };
}
