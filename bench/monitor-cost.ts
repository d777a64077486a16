import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import type {BenchOptions, BenchRow} from './bench-row.js';

// What the resource monitor costs (DESIGN.md §4: well below 1 % of a core; issue 4's goal: below
// 0.5 %): CPU time over a minute at the configured rate (1 Hz), as a share of one core, with what
// an idle Node process costs in the same minute subtracted. The three processes run side by side,
// so a busy machine weighs on all of them alike.

export type MonitorCostRow = {
  what: string;
  seconds: number;
  samples: number;
  cpuMs: number;
  pctOfOneCore: number;
  /** Minus the idle process: what the sampling itself costs. */
  netPctOfOneCore: number;
};

type ChildResult = {mode: string; seconds: number; samples: number; intervalMs: number; ownCpuMs: number; cpuMsWithChildren: number; gpuReader: boolean};

const CHILD = fileURLToPath(new URL('./monitor-cost-child.js', import.meta.url));

function runChild(mode: string, seconds: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, mode, String(seconds)], {stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`${mode}: exit ${code}`))));
  });
}

const LABELS: Readonly<Record<string, string>> = {
  monitor: 'mai ResourceMonitor',
  idle: 'idle Node process',
  systeminformation: 'si.currentLoad + si.mem',
};

export async function measureMonitorCost(seconds = 60): Promise<MonitorCostRow[]> {
  const results = await Promise.all(['monitor', 'idle', 'systeminformation'].map((mode) => runChild(mode, seconds)));
  const idle = results.find((r) => r.mode === 'idle');
  const pct = (ms: number, s: number) => Math.round((ms / (s * 1000)) * 100 * 1000) / 1000;
  return results.map((r) => ({
    what: `${LABELS[r.mode] ?? r.mode}${r.gpuReader ? ' (with nvidia-smi)' : ''}`,
    seconds: r.seconds,
    samples: r.samples,
    cpuMs: Math.round(r.cpuMsWithChildren),
    pctOfOneCore: pct(r.cpuMsWithChildren, r.seconds),
    netPctOfOneCore: pct(r.cpuMsWithChildren - (idle?.cpuMsWithChildren ?? 0), r.seconds),
  }));
}

/** P5 goal (issue 4): the monitor below 0.5 % of one core, above an idle Node process. */
const P5_MAX_PCT = 0.5;

/** Suite rows (P5): 60 s of sampling, 10 s in quick; systeminformation's calls as the baseline. */
export async function benchMonitorCost(options: BenchOptions): Promise<BenchRow[]> {
  const rows = await measureMonitorCost(options.quick ? 10 : 60);
  const monitor = rows.find((row) => row.what.startsWith(LABELS.monitor as string));
  const si = rows.find((row) => row.what.startsWith(LABELS.systeminformation as string));
  if (!monitor || !si) throw new Error('P5: a measuring process gave no result');
  return [
    {
      id: 'P5',
      name: `resource monitor CPU at 1 Hz (${monitor.seconds} s)`,
      goal: `< ${P5_MAX_PCT} % of a core above idle Node`,
      figure: `${monitor.netPctOfOneCore.toFixed(2)} % (${monitor.pctOfOneCore.toFixed(2)} % all told; si calls ${si.netPctOfOneCore.toFixed(2)} %)`,
      met: monitor.netPctOfOneCore < P5_MAX_PCT,
      values: {monitorNetPct: monitor.netPctOfOneCore, monitorPct: monitor.pctOfOneCore, systeminformationNetPct: si.netPctOfOneCore, seconds: monitor.seconds},
    },
  ];
}
