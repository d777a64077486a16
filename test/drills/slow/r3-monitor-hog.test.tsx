import {mkdtemp, readFile, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {ResourceGauge} from '../../../components/ResourceGauge.js';
import type {PressurePolicy} from '../../../src/config/types.js';
import {openEventLog} from '../../../src/util/log.js';
import {readMemory} from '../../../src/monitor/memory-reader.js';
import {ResourceMonitor} from '../../../src/monitor/resource-monitor.js';
import {createMaiStore, LOCAL_HOST, type HostResources, type MaiStore} from '../../../src/store.js';
import {settle} from '../../support/ink-keys.js';
import {waitFor} from '../../support/wait-for.js';
import {MemoryHog} from '../../support/memory-hog-process.js';

// R3, the monitor's half (slow: the hog fills RAM and the level must ease after its dwell, so it
// runs in `npm run drills`, not in every `npm test`). The monitor on the real machine: a real child process allocates and touches memory, the kernel's
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

describe('R3: memory pressure from a real process', () => {
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
});
