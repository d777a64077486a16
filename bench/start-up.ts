import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {createBenchHome, type BenchHome} from './bench-home.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {cpuSeconds, percentile, plainText, TmuxTerminal} from './tmux-terminal.js';

// P3 and P4 (issue 11): how fast the chat's first frame is on a real terminal, and how light the UI
// process is once idle. The first frame is timed from asking tmux to start the program until the
// frame's top border is on the terminal; the baseline is `node` printing that border in the same
// kind of pane, so the ratio is what mai adds to starting Node. `mai --help` is timed against
// `node -e 0`. Idle: the UI process's RSS (the model runs in an engine process of its own) and
// its CPU time with nothing happening, beside a naive Ink chat that shows the same figures
// (bench/naive-idle.tsx) measured the same way. The CPU is measured over two windows in a row: the
// first seconds after the start is over, then as many seconds more. The goal judges the second, the
// chat left open: the first still holds V8's one-time work after a start (below), which an Ink app
// that redraws one line a second pays too. Both are reported.

const CLI = fileURLToPath(new URL('../bin/cli.js', import.meta.url));
const NAIVE_IDLE = fileURLToPath(new URL('./naive-idle.js', import.meta.url));
const HOOKS = fileURLToPath(new URL('../../scripts/ink-patch-hooks.js', import.meta.url));
const COLUMNS = 120;
const ROWS = 40;
const BORDER = '┌ chat';

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Milliseconds from starting `command` in a new pane until `shown` is in its output. */
async function timeToOutput(command: string, shown: string, env: NodeJS.ProcessEnv): Promise<{ms: number; terminal: TmuxTerminal}> {
  const terminal = await TmuxTerminal.open({columns: COLUMNS, rows: ROWS, command, env});
  const at = await terminal.waitForOutput((out) => plainText(out).includes(shown), 30_000);
  return {ms: at - terminal.startedAt, terminal};
}

function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, {env, stdio: 'ignore'});
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return performance.now() - start;
}

function rssBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

async function firstFrames(home: BenchHome, runs: number) {
  const env = {...home.env, TERM: 'xterm-256color'};
  const mai: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    const baseline = await timeToOutput(`exec ${process.execPath} -e "process.stdout.write('${BORDER}'); setTimeout(() => {}, 60000)"`, BORDER, env);
    baseline.terminal.close();
    node.push(baseline.ms);
    const started = await timeToOutput(`exec ${process.execPath} ${CLI} chat -c ${home.configPath}`, BORDER, env);
    started.terminal.close();
    mai.push(started.ms);
  }
  return {mai: median(mai), node: median(node)};
}

/** A program to watch idle: its command line, and what on its screen says its start is over. */
type IdleProgram = {readonly command: string; readonly started: RegExp; readonly env?: NodeJS.ProcessEnv};

async function idle(home: BenchHome, seconds: number, program: IdleProgram) {
  const env = {...home.env, ...program.env, TERM: 'xterm-256color'};
  const terminal = await TmuxTerminal.open({columns: COLUMNS, rows: ROWS, command: program.command, env});
  try {
    await terminal.waitForScreen((screen) => program.started.test(screen));
    const pid = terminal.panePid();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const window = async () => {
      const cpuBefore = cpuSeconds(pid);
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return ((cpuSeconds(pid) - cpuBefore) / ((performance.now() - start) / 1000)) * 100;
    };
    // First the seconds right after the start, while V8 still compiles the code each sample runs
    // (on its worker threads) and its memory reducer runs once (8 s after the start's first full
    // collection). Then as many seconds more: the chat left open, the goal's figure.
    const cpuPct = await window();
    const settledCpuPct = await window();
    return {rssMB: rssBytes(pid) / 1e6, cpuPct, settledCpuPct};
  } finally {
    terminal.close();
  }
}

export async function measureStartUp({quick}: BenchOptions): Promise<BenchRow[]> {
  const home = await createBenchHome(['sample_interval_ms: 1000']);
  try {
    const env = home.env;
    // A first run forges nothing here (the models are in place) but writes its state files: done once.
    const frames = await firstFrames(home, quick ? 3 : 7);
    const helps: number[] = [];
    const zeros: number[] = [];
    for (let i = 0; i < (quick ? 5 : 15); i++) {
      zeros.push(timeRun(['-e', '0'], env));
      helps.push(timeRun([CLI, '--help'], env));
    }
    const help = median(helps);
    const zero = median(zeros);
    const idleFor = quick ? 10 : 30;
    // Idle means the start is over: the model is loaded and its spare engine started.
    const rest = await idle(home, idleFor, {command: `exec ${process.execPath} ${CLI} chat -c ${home.configPath}`, started: /loaded mai-demo/});
    // The baseline: the same figures each second in the naive Ink chat of P2 (bench/naive-idle.tsx).
    const naive = await idle(home, idleFor, {command: `exec ${process.execPath} --import ${HOOKS} ${NAIVE_IDLE}`, started: /CPU \d+%/, env: {NODE_ENV: 'production'}});
    const frameRatio = frames.mai / frames.node;
    return [
      {
        id: 'P3',
        name: 'start → first frame',
        goal: '≤ 300 ms',
        figure: `${frames.mai.toFixed(0)} ms (${frameRatio.toFixed(1)}× node printing the same border: ${frames.node.toFixed(0)} ms)`,
        met: frames.mai <= 300,
        values: {firstFrameMs: frames.mai, nodeBorderMs: frames.node, ratio: frameRatio},
      },
      {
        id: 'P3',
        name: 'mai --help',
        goal: '≤ 2× node -e 0',
        figure: `${(help / zero).toFixed(2)}× (${help.toFixed(0)} ms vs ${zero.toFixed(0)} ms)`,
        met: help / zero <= 2,
        values: {helpMs: help, nodeMs: zero, ratio: help / zero},
      },
      {
        id: 'P4',
        name: 'idle RSS of the UI process (model in its engine process)',
        goal: '< 80 MB',
        figure: `${rest.rssMB.toFixed(1)} MB`,
        met: rest.rssMB < 80,
        values: {rssMB: rest.rssMB},
      },
      {
        id: 'P4',
        name: `idle CPU of the UI process, chat left open (${idleFor} s from ${idleFor + 3} s after the load)`,
        goal: '≤ 0.5 % of a core',
        figure:
          `${rest.settledCpuPct.toFixed(2)} % (the ${idleFor} s before, right after the start: ${rest.cpuPct.toFixed(2)} %); ` +
          `a naive Ink chat showing the same figures: ${naive.settledCpuPct.toFixed(2)} % (before: ${naive.cpuPct.toFixed(2)} %)`,
        met: rest.settledCpuPct <= 0.5,
        values: {cpuPct: rest.cpuPct, settledCpuPct: rest.settledCpuPct, naiveCpuPct: naive.cpuPct, naiveSettledCpuPct: naive.settledCpuPct, seconds: idleFor},
      },
    ];
  } finally {
    await home.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await measureStartUp({quick: process.argv.includes('--quick')}));
}
