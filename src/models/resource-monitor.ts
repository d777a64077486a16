import si from 'systeminformation';
import {HISTORY_LENGTH, LOCAL_HOST, type CpuSample, type MaiStore, type MemorySample} from '../store.js';

// Samples the machine in one long-lived loop and publishes each sample to the store.

export type ResourceSample = {readonly cpu: CpuSample; readonly memory: MemorySample};

/** Where samples come from: systeminformation by default; injected in tests. */
export type ResourceSource = () => Promise<ResourceSample>;

export const systemResources: ResourceSource = async () => {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  return {
    cpu: {totalPct: load.currentLoad, perCorePct: load.cpus.map((core) => core.load)},
    memory: {
      totalBytes: mem.total,
      availableBytes: mem.available,
      usedBytes: mem.total - mem.available,
      swapTotalBytes: mem.swaptotal,
      swapUsedBytes: mem.swapused,
    },
  };
};

export type ResourceMonitorOptions = {
  readonly store: MaiStore;
  readonly intervalMs: number;
  readonly source?: ResourceSource;
  /** RSS of each loaded model's engine, by model key. */
  readonly modelMemory?: () => Record<string, number>;
  readonly now?: () => number;
};

function pushBounded(history: readonly number[], value: number): number[] {
  const next = history.length >= HISTORY_LENGTH ? history.slice(1) : history.slice();
  next.push(value);
  return next;
}

export class ResourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private latest: ResourceSample | null = null;

  constructor(private readonly options: ResourceMonitorOptions) {}

  /** The most recent sample (taking one now if none was taken yet). */
  async current(): Promise<ResourceSample> {
    return this.latest ?? (await this.sampleOnce());
  }

  async sampleOnce(): Promise<ResourceSample> {
    const {store, source = systemResources, modelMemory, now = Date.now} = this.options;
    const sample = await source();
    this.latest = sample;
    const previous = store.getState().resources[LOCAL_HOST];
    store.getState().setHostResources(LOCAL_HOST, {
      cpu: sample.cpu,
      memory: sample.memory,
      cpuHistory: pushBounded(previous?.cpuHistory ?? [], sample.cpu.totalPct),
      ramHistory: pushBounded(previous?.ramHistory ?? [], (sample.memory.usedBytes / sample.memory.totalBytes) * 100),
      maiRssBytes: process.memoryUsage.rss(),
      modelRssBytes: modelMemory?.() ?? {},
      sampledAt: now(),
    });
    return sample;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.sampleOnce()
        .catch(() => undefined) // a failed sample is skipped; the next one tries again
        .finally(() => {
          if (!this.running) return;
          this.timer = setTimeout(tick, this.options.intervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
