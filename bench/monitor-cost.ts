import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

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
