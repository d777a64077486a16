import type os from 'node:os';
import {describe, expect, it} from 'vitest';
import {CpuMeter, cpuUseBetween, parseProcStat, timesFromOs, type CpuTimes} from '../../src/monitor/cpu-meter.js';
import {RingBuffer} from '../../src/monitor/ring-buffer.js';

// /proc/stat as captured on this machine (2 cores), and 1 s later with one core busy.
const BEFORE = `cpu  154287 0 29762 485096 609 0 351 76 0 0
cpu0 75578 0 14345 244887 117 0 109 42 0 0
cpu1 78709 0 15417 240208 491 0 241 34 0 0
intr 2907080 0 0 0 0 0
ctxt 5544331
btime 1795560000
`;
const AFTER = `cpu  154387 0 29762 485196 609 0 351 76 0 0
cpu0 75678 0 14345 244887 117 0 109 42 0 0
cpu1 78709 0 15417 240308 491 0 241 34 0 0
intr 2907580 0 0 0 0 0
`;

describe('CPU use from the kernel counters', () => {
  it('parses the total and per-core lines of /proc/stat', () => {
    const times = parseProcStat(BEFORE);
    expect(times?.cores).toHaveLength(2);
    // busy = user + nice + system + irq + softirq + steal; total adds idle + iowait.
    expect(times?.all).toEqual({busy: 154287 + 29762 + 351 + 76, total: 154287 + 29762 + 485096 + 609 + 351 + 76});
  });

  it('gives total and per-core percent between two readings', () => {
    const use = cpuUseBetween(parseProcStat(BEFORE) as CpuTimes, parseProcStat(AFTER) as CpuTimes);
    expect(use).toEqual({totalPct: 50, perCorePct: [100, 0]});
  });

  it('is not fooled by text that is not /proc/stat', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('cpu  a b c d\n')).toBeNull();
  });

  it('reads the same counters from os.cpus() elsewhere', () => {
    const core = (user: number, idle: number): os.CpuInfo => ({model: 'x', speed: 1, times: {user, nice: 0, sys: 0, idle, irq: 0}});
    const use = cpuUseBetween(timesFromOs([core(0, 0), core(0, 0)]), timesFromOs([core(30, 70), core(90, 10)]));
    expect(use.totalPct).toBeCloseTo(60, 6);
    expect(use.perCorePct).toEqual([30, 90]);
  });

  it('a meter compares each reading with the one before, and its first with one a moment later', async () => {
    const readings = [BEFORE, AFTER, AFTER].map((text) => parseProcStat(text) as CpuTimes);
    const meter = new CpuMeter(async () => readings.shift() as CpuTimes);
    expect(await meter.read()).toEqual({totalPct: 50, perCorePct: [100, 0]});
    // Nothing moved between the second and third reading.
    expect(await meter.read()).toEqual({totalPct: 0, perCorePct: [0, 0]});
  });

  it('measures this machine: a percentage for the whole and for each core', async () => {
    const use = await new CpuMeter().read();
    expect(use.totalPct).toBeGreaterThanOrEqual(0);
    expect(use.totalPct).toBeLessThanOrEqual(100);
    expect(use.perCorePct.length).toBeGreaterThan(0);
  });
});

describe('the history ring', () => {
  it('keeps the last samples, oldest first', () => {
    const ring = new RingBuffer(3);
    expect(ring.toArray()).toEqual([]);
    for (const value of [1, 2]) ring.push(value);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const value of [3, 4, 5]) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
  });

  it('hands out a new array each time (the store keeps it)', () => {
    const ring = new RingBuffer(2);
    ring.push(1);
    const before = ring.toArray();
    ring.push(2);
    expect(before).toEqual([1]);
  });
});
