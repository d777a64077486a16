import type {GpuSample} from '../store.js';
import {gpusFromGraphics, linuxHasComputeGpu, type GraphicsController} from './graphics.js';
import {NvidiaSmiReader} from './nvidia-reader.js';

// Where the GPU figures come from: NVIDIA's nvidia-smi, kept running (nvidia-reader.ts); else
// systeminformation's graphics data, read at start and then at a low rate; else nothing: "no GPU".

export type GpuSource = 'detecting' | 'nvidia-smi' | 'systeminformation' | 'none';

export type GpuMonitorOptions = {
  readonly intervalMs: number;
  /** The nvidia-smi command (tests put a stand-in in its place). */
  readonly nvidiaSmi?: string;
  readonly graphics?: () => Promise<readonly GraphicsController[]>;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  readonly onProblem?: (message: string) => void;
};

// graphics() runs lspci (Linux) or system_profiler (macOS, about a second of CPU) per call. Names
// and totals do not change while mai runs, so it is read again only when it found a discrete GPU
// whose figures might move, and then once a minute.
const GRAPHICS_REFRESH_MS = 60_000;

// Loaded on first use only (it is 430 KB of code): most machines answer through nvidia-smi, and a
// Linux machine without a GPU driver has nothing for it to find.
async function defaultGraphics(): Promise<readonly GraphicsController[]> {
  if (process.platform === 'linux' && !(await linuxHasComputeGpu())) return [];
  return (await (await import('systeminformation')).default.graphics()).controllers;
}

export class GpuMonitor {
  private readonly nvidia: NvidiaSmiReader;
  private graphicsGpus: GpuSample[] | null = null;
  private detection: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  source: GpuSource = 'detecting';

  constructor(private readonly options: GpuMonitorOptions) {
    this.nvidia = new NvidiaSmiReader({
      intervalMs: options.intervalMs,
      ...(options.nvidiaSmi ? {command: options.nvidiaSmi} : {}),
      ...(options.onProblem ? {onProblem: options.onProblem} : {}),
    });
  }

  /** The nvidia-smi reader's process id while it runs. */
  get readerPid(): number | undefined {
    return this.nvidia.pid;
  }

  /** Starts detecting (idempotent); resolves when the GPUs are known. */
  start(): Promise<void> {
    this.stopped = false;
    this.detection ??= this.detect();
    return this.detection;
  }

  /** Waits for detection, at most `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.start(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** The GPUs now: null while detecting, [] when there is none. */
  snapshot(): readonly GpuSample[] | null {
    switch (this.source) {
      case 'detecting':
        return null;
      case 'nvidia-smi':
        // A reader that gave up has no figures: the GPUs are unknown, shown as none rather than stale.
        return this.nvidia.readings().map((r) => ({...r, sharedMemory: false}));
      case 'systeminformation':
        return this.graphicsGpus ?? [];
      case 'none':
        return [];
    }
  }

  stop(): void {
    this.stopped = true;
    this.nvidia.stop();
    clearTimeout(this.refreshTimer);
    this.detection = null;
    this.source = 'detecting';
  }

  private async detect(): Promise<void> {
    this.nvidia.start();
    await this.nvidia.settled();
    if (this.stopped) return;
    if (this.nvidia.state === 'running') {
      this.source = 'nvidia-smi';
      return;
    }
    await this.readGraphics();
  }

  private async readGraphics(): Promise<void> {
    const {platform = process.platform, arch = process.arch, graphics = defaultGraphics} = this.options;
    const gpus = gpusFromGraphics(await graphics().catch(() => []), platform, arch);
    if (this.stopped) return;
    this.graphicsGpus = gpus;
    this.source = gpus.length > 0 ? 'systeminformation' : 'none';
    if (gpus.some((gpu) => !gpu.sharedMemory)) {
      this.refreshTimer = setTimeout(() => void this.readGraphics(), GRAPHICS_REFRESH_MS);
      this.refreshTimer.unref();
    }
  }
}
