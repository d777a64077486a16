import {readFileSync} from 'node:fs';
import si from 'systeminformation';
import {loadConfig} from '../src/config.js';
import {ResourceMonitor} from '../src/monitor/resource-monitor.js';
import {createMaiStore, LOCAL_HOST} from '../src/store.js';

// One process of the monitor-cost benchmark (monitor-cost.ts starts three side by side):
//   monitor            mai's ResourceMonitor with the bundled config, as the TUI runs it
//   idle               the same process doing nothing: what Node itself costs
//   systeminformation  si.currentLoad() + si.mem() at the same rate: the monitor before this work
// It prints one JSON line: CPU time in the measured window (its own, its children's, and that of the
// nvidia-smi reader where there is one), and the samples taken.

const [mode = 'monitor', secondsText = '60'] = process.argv.slice(2);
const seconds = Number(secondsText);

// USER_HZ: the unit of /proc's CPU times, 100 on every Linux platform in use.
const TICK_MS = 10;

/** CPU time of this process and of its waited-for children (execSync's shells) in ms, from /proc. */
function processTreeCpuMs(pid: number | 'self' = 'self'): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm)": state is field 0, so utime/stime/cutime/cstime are 11-14.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) * TICK_MS;
  } catch {
    return null;
  }
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const {config} = await loadConfig();
const store = createMaiStore();
let monitor: ResourceMonitor | null = null;
let timer: NodeJS.Timeout | undefined;
let samples = 0;
const intervalMs = config.policy.sampleIntervalMs;

const started = {own: ownCpuMs(), tree: processTreeCpuMs(), at: performance.now()};
if (mode === 'monitor') {
  monitor = new ResourceMonitor({store, intervalMs, pressure: config.policy.pressure});
  store.subscribe((state, previous) => {
    if (state.resources[LOCAL_HOST]?.sampledAt !== previous.resources[LOCAL_HOST]?.sampledAt) samples += 1;
  });
  monitor.start();
} else if (mode === 'systeminformation') {
  const tick = async () => {
    await Promise.all([si.currentLoad(), si.mem()]);
    samples += 1;
  };
  timer = setInterval(() => void tick(), intervalMs);
  void tick();
}
const keepAlive = setInterval(() => undefined, 1 << 30);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const readerPid = monitor?.gpuReaderPid;
const readerCpuMs = readerPid === undefined ? 0 : (processTreeCpuMs(readerPid) ?? 0);
const ended = {own: ownCpuMs(), tree: processTreeCpuMs(), at: performance.now()};
monitor?.stop();
clearInterval(timer);
clearInterval(keepAlive);

const wallMs = ended.at - started.at;
const ownMs = ended.own - started.own;
// The tree figure has 10 ms resolution but includes child processes; the own figure is exact.
const treeMs = started.tree === null || ended.tree === null ? ownMs : Math.max(ownMs, ended.tree - started.tree);
process.stdout.write(
  JSON.stringify({mode, seconds: Math.round(wallMs / 100) / 10, samples, intervalMs, ownCpuMs: ownMs, cpuMsWithChildren: treeMs + readerCpuMs, gpuReader: readerPid !== undefined}) +
    '\n',
);
process.exit(0);
