import os from 'node:os';
import type {CpuSample} from '../store.js';
import {readProcFile} from './proc-file.js';

// CPU use between two readings of the kernel's tick counters, total and per core.
//
// Not systeminformation's currentLoad(): on Linux every call runs `cat /proc/stat | grep cpu`
// through execSync (lib/cpu.js, getLoad, 5.33), three processes per sample and the event loop
// blocked while they run: measured 5 ms of CPU a call here, 0.5 % of a core at 1 Hz on its own.
// Reading /proc/stat directly costs 0.01 ms; elsewhere os.cpus() gives the same counters in-process.

/** Cumulative ticks of one CPU (or all of them): time spent busy and in total. */
export type CpuTicks = {readonly busy: number; readonly total: number};
export type CpuTimes = {readonly all: CpuTicks; readonly cores: readonly CpuTicks[]};

/**
 * Parses /proc/stat (proc(5)): `cpu` and `cpuN` lines of user nice system idle iowait irq softirq
 * steal guest guest_nice. Idle time is idle + iowait; guest time is already counted in user.
 */
export function parseProcStat(text: string): CpuTimes | null {
  let all: CpuTicks | null = null;
  const cores: CpuTicks[] = [];
  for (const line of text.split('\n')) {
    const match = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!match) continue;
    const fields = (match[2] ?? '').trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) continue;
    const ticks = {busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal};
    if (match[1] === '') all = ticks;
    else cores[Number(match[1])] = ticks;
  }
  if (!all) return null;
  return {all, cores: cores.filter(Boolean)};
}

/** The same counters from os.cpus() (macOS, Windows, and Linux without /proc). */
export function timesFromOs(cpus: readonly os.CpuInfo[]): CpuTimes {
  const cores = cpus.map(({times: t}) => ({busy: t.user + t.nice + t.sys + t.irq, total: t.user + t.nice + t.sys + t.irq + t.idle}));
  const all = cores.reduce((sum, core) => ({busy: sum.busy + core.busy, total: sum.total + core.total}), {busy: 0, total: 0});
  return {all, cores};
}

function percentBetween(before: CpuTicks | undefined, after: CpuTicks): number {
  const total = after.total - (before?.total ?? 0);
  if (!(total > 0)) return 0;
  const pct = ((after.busy - (before?.busy ?? 0)) / total) * 100;
  return Math.min(100, Math.max(0, pct));
}

/** CPU use in percent between two readings (the second later than the first). */
export function cpuUseBetween(before: CpuTimes, after: CpuTimes): CpuSample {
  return {
    totalPct: percentBetween(before.all, after.all),
    perCorePct: after.cores.map((core, i) => percentBetween(before.cores[i], core)),
  };
}

export type CpuTimesSource = () => Promise<CpuTimes>;

export const readCpuTimes: CpuTimesSource = async () => {
  if (process.platform === 'linux') {
    const parsed = parseProcStat(readProcFile('/proc/stat'));
    if (parsed) return parsed;
  }
  return timesFromOs(os.cpus());
};

// Counters since boot say nothing about now, so the first read compares with a reading taken when
// the meter was made, at least this long before (mai is usually busy starting up meanwhile, so a
// one-off command such as `mai ask` seldom waits at all).
const FIRST_GAP_MS = 100;

/** CPU use since the previous read. */
export class CpuMeter {
  private previous: Promise<CpuTimes | null>;
  private readonly primedAt = Date.now();

  constructor(private readonly source: CpuTimesSource = readCpuTimes) {
    this.previous = source().catch(() => null);
  }

  async read(): Promise<CpuSample> {
    let before = await this.previous;
    const wait = this.primedAt + FIRST_GAP_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = await this.source();
    before ??= now;
    this.previous = Promise.resolve(now);
    return cpuUseBetween(before, now);
  }
}
