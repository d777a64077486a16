import type {PressurePolicy} from '../config/types.js';
import type {EventLog} from '../util/log.js';
import {
  HISTORY_LENGTH,
  LOCAL_HOST,
  PRESSURE_CHANGES_KEPT,
  type CpuSample,
  type GpuSample,
  type HostId,
  type HostResources,
  type MaiStore,
  type MemorySample,
  type PressureChange,
  type PressureLevels,
  type SmoothedResources,
} from '../store.js';
import {CpuMeter} from './cpu-meter.js';
import {GpuMonitor} from './gpu-monitor.js';
import {readMemory} from './memory-reader.js';
import {ewma, initialPressure, nextPressure, worseLevel, type PressureLevel, type PressureRule, type PressureState} from './pressure.js';
import {RingBuffer} from './ring-buffer.js';

// Samples the machine in one long-lived loop (DESIGN.md §4) and publishes each sample to the store
// in one update: figures, histories for the sparklines, smoothed values and pressure levels. Level
// changes also go to the event log.

export type ResourceSample = {readonly cpu: CpuSample; readonly memory: MemorySample};

/** Where CPU and memory figures come from: the machine by default; injected in tests. */
export type ResourceSource = () => Promise<ResourceSample>;

export function machineSource(cpu = new CpuMeter()): ResourceSource {
  return async () => {
    const [cpuSample, memory] = await Promise.all([cpu.read(), readMemory()]);
    return {cpu: cpuSample, memory};
  };
}

export type ResourceMonitorOptions = {
  readonly store: MaiStore;
  readonly intervalMs: number;
  readonly pressure: PressurePolicy;
  readonly host?: HostId;
  readonly source?: ResourceSource;
  /** The GPU figures; by default nvidia-smi or systeminformation, sampled at `intervalMs`. */
  readonly gpus?: GpuMonitor;
  /** RSS of each loaded model's engine, by model key. */
  readonly modelMemory?: () => Record<string, number>;
  readonly log?: EventLog;
  readonly now?: () => number;
};

// How long a one-off sample (`mai status`, `mai models`) waits for the GPUs to be known. nvidia-smi
// answers in well under a second; a driver that hangs must not hang mai.
const GPU_DETECTION_WAIT_MS = 3000;

type Rules = {readonly cpu: PressureRule; readonly ram: PressureRule; readonly vram: PressureRule};

function rulesFrom(policy: PressurePolicy): Rules {
  const common = {hysteresis: policy.hysteresisPct, dwellMs: policy.dwellMs};
  return {
    cpu: {direction: 'rising', ...policy.cpuPct, ...common},
    ram: {direction: 'falling', ...policy.ramFreePct, ...common},
    vram: {direction: 'falling', ...policy.vramFreePct, ...common},
  };
}

/** Free VRAM in percent, for a GPU with memory of its own that reports it. */
export function vramFreePct(gpu: GpuSample): number | null {
  if (gpu.sharedMemory || gpu.vramTotalBytes === null || gpu.vramUsedBytes === null || gpu.vramTotalBytes <= 0) return null;
  return Math.max(0, 100 - (gpu.vramUsedBytes / gpu.vramTotalBytes) * 100);
}

function sameLevels(a: readonly PressureLevel[], b: readonly PressureLevel[]): boolean {
  return a.length === b.length && a.every((level, i) => level === b[i]);
}

export class ResourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private latest: ResourceSample | null = null;
  private readonly source: ResourceSource;
  private readonly gpus: GpuMonitor;
  private readonly rules: Rules;
  private readonly host: HostId;
  private readonly cpuHistory = new RingBuffer(HISTORY_LENGTH);
  private readonly ramHistory = new RingBuffer(HISTORY_LENGTH);
  private readonly vramHistory = new Map<number, RingBuffer>();
  private smoothed: {at: number; cpu: number; ram: number; vram: Map<number, number>} | null = null;
  private cpuState: PressureState;
  private ramState: PressureState;
  private readonly vramStates = new Map<number, PressureState>();
  private inFlight: Promise<ResourceSample> | null = null;

  constructor(private readonly options: ResourceMonitorOptions) {
    const now = (options.now ?? Date.now)();
    this.source = options.source ?? machineSource();
    this.gpus =
      options.gpus ??
      new GpuMonitor({intervalMs: options.intervalMs, onProblem: (message) => options.log?.warn('gpu-reader', {message})});
    this.rules = rulesFrom(options.pressure);
    this.host = options.host ?? LOCAL_HOST;
    this.cpuState = initialPressure(now);
    this.ramState = initialPressure(now);
  }

  /** The nvidia-smi reader's process id while one runs. */
  get gpuReaderPid(): number | undefined {
    return this.gpus.readerPid;
  }

  /** The most recent sample (taking one now if none was taken yet). */
  async current(): Promise<ResourceSample> {
    return this.latest ?? (await this.sampleOnce());
  }

  /** Takes a sample now, with the GPUs known (waiting for their detection, within a bound). */
  async sampleOnce(): Promise<ResourceSample> {
    await this.gpus.ready(GPU_DETECTION_WAIT_MS);
    return this.sample();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // The loop does not wait for GPU detection: CPU and RAM show at once, VRAM when it is known.
    void this.gpus.start();
    const tick = () => {
      this.sample()
        .catch((error: unknown) => this.options.log?.error('resource-sample-failed', error)) // the next tick tries again
        .finally(() => {
          if (!this.running) return;
          this.timer = setTimeout(tick, this.options.intervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  /** Stops sampling and the GPU reader process. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.gpus.stop();
  }

  // Concurrent callers (the loop and a one-off sample) share one reading: two CPU readings a few
  // milliseconds apart would give a meaningless CPU figure and push two points into the history.
  private sample(): Promise<ResourceSample> {
    this.inFlight ??= this.takeSample().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async takeSample(): Promise<ResourceSample> {
    const {store, modelMemory, now = Date.now} = this.options;
    const sample = await this.source();
    const gpus = this.gpus.snapshot();
    const at = now();
    this.latest = sample;

    const {memory, cpu} = sample;
    const ramFree = memory.totalBytes > 0 ? (memory.availableBytes / memory.totalBytes) * 100 : 100;
    const smoothed = this.smooth(at, cpu.totalPct, ramFree, gpus ?? []);
    const changes: PressureChange[] = [];
    const step = (resource: PressureChange['resource'], state: PressureState, value: number, rule: PressureRule, gpu?: number) => {
      const next = nextPressure(state, value, at, rule);
      if (next.level !== state.level) changes.push({resource, ...(gpu === undefined ? {} : {gpu}), from: state.level, to: next.level, value, at});
      return next;
    };
    this.cpuState = step('cpu', this.cpuState, smoothed.cpuPct, this.rules.cpu);
    this.ramState = step('ram', this.ramState, smoothed.ramFreePct, this.rules.ram);
    const gpuLevels: PressureLevel[] = [];
    (gpus ?? []).forEach((gpu, i) => {
      const value = smoothed.vramFreePct[i];
      let state = this.vramStates.get(gpu.index) ?? initialPressure(at);
      if (value !== null && value !== undefined) state = step('vram', state, value, this.rules.vram, gpu.index);
      this.vramStates.set(gpu.index, state);
      gpuLevels.push(state.level);
    });

    this.cpuHistory.push(cpu.totalPct);
    this.ramHistory.push(100 - ramFree);
    const vramHistory = (gpus ?? []).map((gpu) => {
      let ring = this.vramHistory.get(gpu.index);
      if (!ring) this.vramHistory.set(gpu.index, (ring = new RingBuffer(HISTORY_LENGTH)));
      // A GPU without figures of its own (shared memory) keeps an empty history, not a made-up one.
      const free = vramFreePct(gpu);
      if (free !== null) ring.push(100 - free);
      return ring.toArray();
    });

    const previous = store.getState().resources[this.host];
    const pressure = this.levels(previous?.pressure, gpuLevels);
    for (const change of changes) this.logChange(change);
    store.getState().setHostResources(this.host, {
      cpu,
      memory,
      gpus,
      cpuHistory: this.cpuHistory.toArray(),
      ramHistory: this.ramHistory.toArray(),
      vramHistory,
      smoothed,
      pressure,
      pressureChanges: changes.length > 0 ? [...(previous?.pressureChanges ?? []), ...changes].slice(-PRESSURE_CHANGES_KEPT) : (previous?.pressureChanges ?? []),
      maiRssBytes: process.memoryUsage.rss(),
      modelRssBytes: modelMemory?.() ?? {},
      sampledAt: at,
    } satisfies HostResources);
    return sample;
  }

  // A smoothed series starts from rest (0 % CPU, 100 % free), as if the sample before the first,
  // one interval earlier, had shown no pressure: the first CPU reading covers only 100 ms, mostly
  // of mai's own start, and must not count as much as a smoothed history would. Unsmoothed series
  // (half-life 0) take their first value as it is.
  private smooth(at: number, cpuPct: number, ramFreePct: number, gpus: readonly GpuSample[]): SmoothedResources {
    const {smoothingMs} = this.options.pressure;
    const before = this.smoothed;
    const elapsed = before ? at - before.at : this.options.intervalMs;
    const vram = new Map<number, number>();
    const vramFree = gpus.map((gpu) => {
      const value = vramFreePct(gpu);
      if (value === null) return null;
      const smoothedValue = ewma(before?.vram.get(gpu.index) ?? 100, value, elapsed, smoothingMs.vram);
      vram.set(gpu.index, smoothedValue);
      return smoothedValue;
    });
    const cpu = ewma(before?.cpu ?? 0, cpuPct, elapsed, smoothingMs.cpu);
    const ram = ewma(before?.ram ?? 100, ramFreePct, elapsed, smoothingMs.ram);
    this.smoothed = {at, cpu, ram, vram};
    return {cpuPct: cpu, ramFreePct: ram, vramFreePct: vramFree};
  }

  // The same object while no level changed: a component selecting it re-renders only on a change.
  private levels(previous: PressureLevels | undefined, gpus: readonly PressureLevel[]): PressureLevels {
    const vram = gpus.reduce<PressureLevel>(worseLevel, 'ok');
    const next = {cpu: this.cpuState.level, ram: this.ramState.level, vram, gpus};
    if (previous && previous.cpu === next.cpu && previous.ram === next.ram && previous.vram === vram && sameLevels(previous.gpus, gpus)) {
      return previous;
    }
    return next;
  }

  private logChange(change: PressureChange): void {
    const rising = worseLevel(change.from, change.to) === change.to;
    const fields = {
      host: this.host,
      resource: change.resource,
      ...(change.gpu === undefined ? {} : {gpu: change.gpu}),
      from: change.from,
      to: change.to,
      // CPU is decided on % used, RAM and VRAM on % free.
      [change.resource === 'cpu' ? 'usedPct' : 'freePct']: Math.round(change.value * 10) / 10,
    };
    if (rising) this.options.log?.warn('pressure', fields);
    else this.options.log?.event('pressure', fields);
  }
}
