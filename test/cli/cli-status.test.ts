import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, readFile, symlink} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import xterm from '@xterm/headless';
import {afterEach, describe, expect, it} from 'vitest';
import {waitFor} from '../support/wait-for.js';
import {installNvidiaSmiStandIn} from '../support/nvidia-smi-stand-in.js';
import {processExists} from '../support/processes.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';

// `mai status` and `mai status --watch` as a user runs them: the built CLI in a subprocess, on a
// pipe and in a real pseudo-terminal, with no GPU and with a stand-in nvidia-smi.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const LEVELS = ['ok', 'elevated', 'critical'];

type GpuStatus = {index: number; name: string; vramUsedBytes: number; vramTotalBytes: number; utilizationPct: number | null; pressure: string};
type ResourceStatus = {
  cpu: {totalPct: number; perCorePct: number[]};
  memory: {totalBytes: number; availableBytes: number; usedBytes: number; swapTotalBytes: number; swapUsedBytes: number};
  gpus: GpuStatus[];
  pressure: {cpu: string; ram: string; vram: string};
  maiRssBytes: number;
  sampledAt: number;
};

let sandbox: Sandbox | undefined;
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await sandbox?.cleanup();
  sandbox = undefined;
});

/** A sandbox whose PATH has no nvidia-smi and no lspci: a machine without a GPU, wherever the tests run. */
async function noGpuSandbox(): Promise<Sandbox> {
  sandbox = await createSandbox(['tiny']);
  const bin = path.join(sandbox.home, 'bin');
  await mkdir(bin);
  sandbox.env.PATH = bin;
  return sandbox;
}

/** A sandbox with a stand-in nvidia-smi (one RTX 4090 at 94 % VRAM used) first in PATH. */
async function gpuSandbox(): Promise<Sandbox & {pids: () => Promise<number[]>}> {
  sandbox = await createSandbox(['tiny']);
  const bin = path.join(sandbox.home, 'bin');
  await mkdir(bin);
  installNvidiaSmiStandIn(bin);
  const pidLog = path.join(sandbox.home, 'nvidia-smi-pids');
  sandbox.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
  sandbox.env.STAND_IN_PID_LOG = pidLog;
  sandbox.env.STAND_IN_GPUS = JSON.stringify([{name: 'NVIDIA GeForce RTX 4090', usedMiB: 23000, totalMiB: 24564, utilization: 97}]);
  const pids = async () => (await readFile(pidLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  return {...sandbox, pids};
}

function findInPath(name: string): string {
  const found = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, name)).find((file) => existsSync(file));
  if (!found) throw new Error(`${name} is not in PATH`);
  return found;
}

function start(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']});
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {child, exited, stdout: () => stdout, stderr: () => stderr};
}

async function statusJson(env: NodeJS.ProcessEnv): Promise<{resources: ResourceStatus}> {
  const run = start(['status', '--json'], env);
  expect(await run.exited).toBe(0);
  return JSON.parse(run.stdout()) as {resources: ResourceStatus};
}

describe('mai status', () => {
  it('--json: cpu, memory, no GPU, pressure per resource and mai RSS', async () => {
    const {env} = await noGpuSandbox();
    const {resources} = await statusJson(env);
    expect(resources.cpu.totalPct).toBeGreaterThanOrEqual(0);
    expect(resources.cpu.perCorePct.length).toBeGreaterThan(0);
    expect(resources.memory.availableBytes).toBeGreaterThan(0);
    expect(resources.memory.totalBytes).toBeGreaterThanOrEqual(resources.memory.availableBytes);
    expect(resources.memory.swapTotalBytes).toBeGreaterThanOrEqual(resources.memory.swapUsedBytes);
    expect(resources.gpus).toEqual([]);
    for (const level of Object.values(resources.pressure)) expect(LEVELS).toContain(level);
    expect(resources.pressure.vram).toBe('ok');
    expect(resources.maiRssBytes).toBeGreaterThan(0);
  });

  it('says "no GPU" in its human form', async () => {
    const {env} = await noGpuSandbox();
    const run = start(['status'], env);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/^gpu +no GPU$/m);
    expect(run.stdout()).toMatch(/^memory +\d+\.\d GiB available of \d+\.\d GiB$/m);
    expect(run.stdout()).toMatch(/^pressure +cpu (ok|elevated|critical) · ram (ok|elevated|critical) · vram -$/m);
  });

  it('--json with an NVIDIA GPU: its figures and VRAM pressure, and no nvidia-smi left after mai exits', async () => {
    const {env, pids} = await gpuSandbox();
    const {resources} = await statusJson(env);
    expect(resources.gpus).toEqual([
      expect.objectContaining({index: 0, name: 'NVIDIA GeForce RTX 4090', vramTotalBytes: 24564 * 1024 ** 2, utilizationPct: 97, pressure: 'critical'}),
    ]);
    expect(resources.pressure.vram).toBe('critical');
    const started = await pids();
    expect(started).toHaveLength(1);
    await waitFor(() => !processExists(started[0] ?? -1));
  });
});

describe('mai status --watch', () => {
  it('--json prints one JSON line per sample, every second, until Ctrl+C (exit 130)', async () => {
    const {env} = await noGpuSandbox();
    const watch = start(['status', '--watch', '--json'], env);
    await waitFor(() => watch.stdout().split('\n').filter(Boolean).length >= 3);
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(130);
    const samples = watch
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ResourceStatus & {at: string});
    for (const sample of samples) {
      expect(sample.memory.availableBytes).toBeGreaterThan(0);
      expect(sample.gpus).toEqual([]);
      expect(Date.parse(sample.at)).toBe(sample.sampledAt);
    }
    // The default interval: a sample a second (a timer never fires early; a busy machine may be late).
    for (let i = 1; i < samples.length; i++) {
      expect((samples[i]?.sampledAt ?? 0) - (samples[i - 1]?.sampledAt ?? 0)).toBeGreaterThanOrEqual(990);
    }
    expect(watch.stderr()).toBe('');
  });

  it('keeps one nvidia-smi for every sample, and it dies with mai even when mai is killed', async () => {
    const {env, pids} = await gpuSandbox();
    const watch = start(['status', '--watch', '--json'], env);
    await waitFor(() => watch.stdout().split('\n').filter((line) => line.includes('RTX 4090')).length >= 3);
    const started = await pids();
    expect(started).toHaveLength(1);
    watch.child.kill('SIGKILL');
    await watch.exited;
    // Its pipe is gone: the reader dies at its next line.
    await waitFor(() => !processExists(started[0] ?? -1));
  });

  it('ends quietly when its reader goes away (| head)', async () => {
    const {env} = await noGpuSandbox();
    const watch = start(['status', '--watch', '--json'], env);
    await waitFor(() => watch.stdout().length > 0);
    watch.child.stdout.destroy();
    expect(await watch.exited).toBe(0);
    expect(watch.stderr()).toBe('');
  });

  it('on a terminal redraws one block in place', async () => {
    const {env, home} = await noGpuSandbox();
    // The sandbox's PATH has no nvidia-smi or lspci; the pty needs only `script` and `stty`.
    const script = findInPath('script');
    await symlink(findInPath('stty'), path.join(home, 'bin', 'stty'));
    const terminal = new xterm.Terminal({cols: 100, rows: 30, allowProposedApi: true});
    const child = spawn(script, ['-q', '-e', '-c', `stty cols 100 rows 30; exec ${process.execPath} ${CLI} status --watch`, '/dev/null'], {
      env: {...env, TERM: 'xterm-256color'},
    });
    children.push(child);
    let parsed = '';
    child.stdout.on('data', (data: Buffer) => terminal.write(data, () => (parsed += data.toString())));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const screen = () => {
      const buffer = terminal.buffer.active;
      return Array.from({length: terminal.rows}, (_, row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '').join('\n');
    };
    await waitFor(() => (parsed.match(/mai status ·/g) ?? []).length >= 3);
    // Three samples written, one block on screen.
    expect((screen().match(/mai status ·/g) ?? []).length).toBe(1);
    expect(screen()).toMatch(/^cpu +\d+%/m);
    expect(screen()).toMatch(/^gpu +no GPU/m);
    child.stdin.write('\x03');
    expect(await exited).toBe(130);
  });
});
