import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import type {PressurePolicy} from '../../src/config/types.js';
import {GpuMonitor} from '../../src/monitor/gpu-monitor.js';
import {ResourceMonitor} from '../../src/monitor/resource-monitor.js';
import {createMaiStore, LOCAL_HOST, type HostResources, type MaiStore} from '../../src/store.js';
import {waitFor} from '../support/wait-for.js';
import {processExists} from '../support/processes.js';
import {installNvidiaSmiStandIn} from '../support/nvidia-smi-stand-in.js';

// The monitor on the real machine: what it publishes, its GPU reader, its own cost. The memory
// hog (RAM pressure rising and easing) is drill R3, test/drills/slow/r3-monitor-hog.test.tsx.

let dir: string | undefined;
let monitor: ResourceMonitor | undefined;

afterEach(async () => {
  cleanup();
  monitor?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
  monitor = undefined;
  dir = undefined;
});

const local = (store: MaiStore): HostResources => store.getState().resources[LOCAL_HOST] as HostResources;

function policy(fields: Partial<PressurePolicy> = {}): PressurePolicy {
  return {
    ramFreePct: {elevated: 15, critical: 7},
    vramFreePct: {elevated: 15, critical: 7},
    cpuPct: {elevated: 85, critical: 95},
    hysteresisPct: 3,
    dwellMs: 5000,
    smoothingMs: {cpu: 3000, ram: 0, vram: 0},
    ...fields,
  };
}

describe('the resource monitor on this machine', () => {

  it('publishes CPU, memory, mai and model RSS, and no GPU on a machine without one', async () => {
    const store = createMaiStore();
    const gpus = new GpuMonitor({intervalMs: 250, nvidiaSmi: path.join(os.tmpdir(), 'mai-no-such-nvidia-smi'), graphics: async () => []});
    monitor = new ResourceMonitor({store, intervalMs: 250, pressure: policy(), gpus, modelMemory: () => ({'some-model': 123})});
    await monitor.sampleOnce();
    const host = local(store);
    expect(host.cpu?.perCorePct.length).toBe(os.availableParallelism());
    expect(host.memory?.availableBytes).toBeGreaterThan(0);
    expect(host.memory?.totalBytes).toBeGreaterThanOrEqual(host.memory?.availableBytes ?? Infinity);
    expect(host.gpus).toEqual([]);
    expect(host.maiRssBytes).toBeGreaterThan(0);
    expect(host.modelRssBytes).toEqual({'some-model': 123});
    // CPU and RAM levels depend on what else this machine is doing; VRAM has nothing to be short of.
    expect(['ok', 'elevated', 'critical']).toContain(host.pressure.cpu);
    expect(['ok', 'elevated', 'critical']).toContain(host.pressure.ram);
    expect(host.pressure).toMatchObject({vram: 'ok', gpus: []});
  });

  it('keeps 120 samples of history and the same pressure object while levels hold', async () => {
    const store = createMaiStore();
    let cpu = 0;
    monitor = new ResourceMonitor({
      store,
      intervalMs: 250,
      pressure: policy(),
      gpus: new GpuMonitor({intervalMs: 250, nvidiaSmi: path.join(os.tmpdir(), 'mai-no-such-nvidia-smi'), graphics: async () => []}),
      source: async () => ({
        cpu: {totalPct: (cpu += 1), perCorePct: [cpu]},
        memory: {totalBytes: 100, availableBytes: 50, usedBytes: 50, swapTotalBytes: 0, swapUsedBytes: 0},
      }),
    });
    await monitor.sampleOnce();
    const pressure = local(store).pressure;
    for (let i = 0; i < 129; i++) await monitor.sampleOnce();
    expect(local(store).cpuHistory).toHaveLength(120);
    expect(local(store).cpuHistory[0]).toBe(11);
    expect(local(store).cpuHistory.at(-1)).toBe(130);
    expect(local(store).pressure).toBe(pressure);
  });

  it.each([
    // A step to 100 % through a 3 s half-life crosses 85 % after 8.2 s and 95 % after 13 s.
    ['with the bundled 3 s half-life, a busy first reading makes no CPU pressure; sustained load does', 3000, 8, 12],
    ['without smoothing, the first reading counts at once', 0, 0, 0],
  ])('%s', async (_name, halfLife, firstElevated, firstCritical) => {
    const store = createMaiStore();
    let now = 0;
    monitor = new ResourceMonitor({
      store,
      intervalMs: 1000,
      pressure: policy({smoothingMs: {cpu: halfLife, ram: 0, vram: 0}}),
      gpus: new GpuMonitor({intervalMs: 1000, nvidiaSmi: path.join(os.tmpdir(), 'mai-no-such-nvidia-smi'), graphics: async () => []}),
      now: () => (now += 1000),
      source: async () => ({
        cpu: {totalPct: 100, perCorePct: [100]},
        memory: {totalBytes: 100, availableBytes: 50, usedBytes: 50, swapTotalBytes: 0, swapUsedBytes: 0},
      }),
    });
    const levels: string[] = [];
    for (let i = 0; i < 15; i++) {
      await monitor.sampleOnce();
      levels.push(local(store).pressure.cpu);
    }
    expect(levels.findIndex((level) => level !== 'ok')).toBe(firstElevated);
    expect(levels.indexOf('critical')).toBe(firstCritical);
  });

  it('reads VRAM through one nvidia-smi process for all samples, with VRAM pressure, and ends it on stop', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mai-monitor-'));
    process.env.STAND_IN_GPUS = JSON.stringify([{name: 'NVIDIA GeForce RTX 4090', usedMiB: 23000, totalMiB: 24564, utilization: 99}]);
    process.env.STAND_IN_PID_LOG = path.join(dir, 'pids');
    try {
      const store = createMaiStore();
      const gpus = new GpuMonitor({intervalMs: 250, nvidiaSmi: installNvidiaSmiStandIn(dir)});
      monitor = new ResourceMonitor({store, intervalMs: 250, pressure: policy(), gpus});
      monitor.start();
      await waitFor(() => (local(store).vramHistory[0]?.length ?? 0) >= 4);
      const host = local(store);
      expect(host.gpus).toMatchObject([{name: 'NVIDIA GeForce RTX 4090', utilizationPct: 99, sharedMemory: false}]);
      expect(host.pressure.vram).toBe('critical'); // 6 % free
      expect(host.pressureChanges).toContainEqual(expect.objectContaining({resource: 'vram', gpu: 0, to: 'critical'}));
      const pids = (await readFile(path.join(dir, 'pids'), 'utf8')).trim().split('\n').map(Number);
      expect(pids).toEqual([monitor.gpuReaderPid]);
      monitor.stop();
      await waitFor(() => !processExists(pids[0] ?? -1));
    } finally {
      delete process.env.STAND_IN_GPUS;
      delete process.env.STAND_IN_PID_LOG;
    }
  });
});
