import {mkdtemp, readFile, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {ResourceGauge} from '../../components/ResourceGauge.js';
import type {PressurePolicy} from '../../src/config/types.js';
import {openEventLog} from '../../src/util/log.js';
import {GpuMonitor} from '../../src/monitor/gpu-monitor.js';
import {readMemory, ResourceMonitor} from '../../src/monitor/resource-monitor.js';
import {createMaiStore, LOCAL_HOST, type HostResources, type MaiStore} from '../../src/store.js';
import {settle} from '../support/ink-keys.js';
import {waitFor} from '../support/wait-for.js';
import {MemoryHog} from '../support/memory-hog-process.js';
import {processExists} from '../support/processes.js';
import {installNvidiaSmiStandIn} from '../support/nvidia-smi-stand-in.js';

// The monitor on the real machine: a real child process allocates and touches memory, the kernel's
// available RAM drops, the RAM pressure level rises (in the store, the event log and the gauge a
// user reads), and falls again once the hog has gone.

const GiB = 1024 ** 3;

let dir: string | undefined;
let hog: MemoryHog | undefined;
let monitor: ResourceMonitor | undefined;

afterEach(async () => {
  cleanup();
  monitor?.stop();
  await hog?.exit();
  if (dir) await rm(dir, {recursive: true, force: true});
  monitor = undefined;
  hog = undefined;
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
  it('a real memory hog: available RAM drops by about N GiB, RAM pressure rises, and falls after the hog exits', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mai-monitor-'));
    const logFile = path.join(dir, 'state', 'events.jsonl');
    const log = openEventLog(logFile);
    // The machine is shared: take at most a quarter of what is available, and at most 2 GiB.
    const baseline = await readMemory();
    const bytes = Math.min(2 * GiB, baseline.availableBytes / 4);
    const freePct = (baseline.availableBytes / baseline.totalBytes) * 100;
    const hogPct = (bytes / baseline.totalBytes) * 100;
    // Thresholds relative to the baseline, so the test works on any machine: elevated a quarter of
    // the way down to where the hog takes free RAM, critical at 60 % of the way.
    const pressure = policy({
      ramFreePct: {elevated: freePct - 0.25 * hogPct, critical: freePct - 0.6 * hogPct},
      hysteresisPct: 0.1 * hogPct,
      dwellMs: 500,
    });
    const store = createMaiStore();
    monitor = new ResourceMonitor({store, intervalMs: 250, pressure, log});
    monitor.start();
    const gauge = render(<ResourceGauge store={store} width={40} height={8} />);
    const ramRow = () => stripAnsi(gauge.lastFrame() ?? '').split('\n').find((line) => line.includes('RAM')) ?? '';

    await waitFor(() => local(store).sampledAt > 0);
    expect(local(store).pressure.ram).toBe('ok');
    await settle();
    expect(ramRow()).toMatch(/│ RAM {3}/);

    hog = await MemoryHog.start();
    const allocated = await hog.alloc(bytes);
    expect(allocated.rss).toBeGreaterThanOrEqual(bytes);
    await waitFor(() => local(store).pressure.ram === 'critical');
    const during = local(store).memory?.availableBytes ?? 0;
    const drop = baseline.availableBytes - during;
    expect(drop).toBeGreaterThan(0.65 * bytes);
    expect(drop).toBeLessThan(1.35 * bytes);
    await settle();
    expect(ramRow()).toMatch(/│ RAM!! /);

    await hog.exit();
    hog = undefined;
    await waitFor(() => local(store).pressure.ram === 'ok');
    await settle();
    expect(ramRow()).toMatch(/│ RAM {3}/);

    // Level changes are events in the store…
    const changes = local(store).pressureChanges.filter((change) => change.resource === 'ram');
    expect(changes[0]).toMatchObject({from: 'ok'});
    expect(changes.map((change) => change.to)).toContain('critical');
    expect(changes.at(-1)).toMatchObject({to: 'ok'});
    // …and in the event log: JSONL, private to the user.
    log.close();
    const events = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {event: string; resource: string; from: string; to: string; freePct: number});
    const ram = events.filter((event) => event.event === 'pressure' && event.resource === 'ram');
    expect(ram.map((event) => [event.from, event.to])).toEqual(changes.map((change) => [change.from, change.to]));
    expect(ram[0]?.freePct).toBeLessThan(freePct);
    expect((await stat(logFile)).mode & 0o777).toBe(0o600);
  });

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
