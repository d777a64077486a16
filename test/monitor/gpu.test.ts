import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {gpusFromGraphics, linuxHasComputeGpu, type GraphicsController} from '../../src/monitor/graphics.js';
import {GpuMonitor} from '../../src/monitor/gpu-monitor.js';
import {NvidiaSmiReader, onPath} from '../../src/monitor/nvidia-reader.js';
import {nvidiaSmiArgs, parseNvidiaSmiLine} from '../../src/monitor/nvidia-smi.js';
import {processExists} from '../support/processes.js';
import {installNvidiaSmiStandIn} from '../support/nvidia-smi-stand-in.js';
import {waitFor} from '../support/wait-for.js';

const MiB = 1024 ** 2;
const ESC = '\u001b';

describe('the nvidia-smi CSV stream', () => {
  // No NVIDIA GPU was at hand (this machine has none and none was lent to this work): these lines
  // are written from nvidia-smi's documented format (`nvidia-smi --help-query-gpu`, with
  // --format=csv,noheader,nounits), not captured from a real GPU.
  it('asks for index, name, memory used and total, and utilization, in a loop at the interval', () => {
    expect(nvidiaSmiArgs(1000)).toEqual([
      '--query-gpu=index,name,memory.used,memory.total,utilization.gpu',
      '--format=csv,noheader,nounits',
      '-lms',
      '1000',
    ]);
  });

  it.each([
    ['a GeForce', '0, NVIDIA GeForce RTX 4090, 1843, 24564, 7', {index: 0, name: 'NVIDIA GeForce RTX 4090', vramUsedBytes: 1843 * MiB, vramTotalBytes: 24564 * MiB, utilizationPct: 7}],
    ['a data-centre GPU, second of two', '1, NVIDIA H100 80GB HBM3, 70123, 81559, 100', {index: 1, name: 'NVIDIA H100 80GB HBM3', vramUsedBytes: 70123 * MiB, vramTotalBytes: 81559 * MiB, utilizationPct: 100}],
    ['utilization not supported', '0, NVIDIA GRID T4-8Q, 512, 8192, [Not Supported]', {index: 0, name: 'NVIDIA GRID T4-8Q', vramUsedBytes: 512 * MiB, vramTotalBytes: 8192 * MiB, utilizationPct: null}],
    ['memory not available', '0, Orin (nvgpu), [N/A], [N/A], 12', {index: 0, name: 'Orin (nvgpu)', vramUsedBytes: null, vramTotalBytes: null, utilizationPct: 12}],
    ['a name holding a comma', '0, Some GPU, Rev 2, 100, 200, 3', {index: 0, name: 'Some GPU, Rev 2', vramUsedBytes: 100 * MiB, vramTotalBytes: 200 * MiB, utilizationPct: 3}],
    ['Windows line ends', '0, NVIDIA RTX A2000, 10, 6138, 0\r', {index: 0, name: 'NVIDIA RTX A2000', vramUsedBytes: 10 * MiB, vramTotalBytes: 6138 * MiB, utilizationPct: 0}],
  ])('reads %s', (_name, line, expected) => {
    expect(parseNvidiaSmiLine(line)).toEqual(expected);
  });

  it.each([
    ['a blank line', ''],
    ['the driver error', "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."],
    ['a line with too few fields', '0, NVIDIA GeForce RTX 4090, 1843'],
    ['text with commas', 'Failed to initialize NVML, Driver/library version mismatch, try again, later'],
    ['an index followed by words', '0, something, went, wrong, here'],
  ])('skips %s', (_name, line) => {
    expect(parseNvidiaSmiLine(line)).toBeNull();
  });

  it('sanitizes the GPU name: no escape sequence or control character reaches the terminal', () => {
    const reading = parseNvidiaSmiLine(`0, Evil${ESC}]0;pwned\u0007 GPU${ESC}[2J\u202e, 1, 2, 3`);
    expect(reading?.name).toBe('Evil GPU');
  });
});

describe('GPUs from systeminformation (no nvidia-smi)', () => {
  const controller = (fields: Partial<GraphicsController>): GraphicsController => ({vendor: '', model: '', vram: null, vramDynamic: false, ...fields});

  it('Apple Silicon: one GPU sharing the machine RAM', () => {
    const gpus = gpusFromGraphics([controller({vendor: 'Apple', model: 'Apple M2 Pro', vramDynamic: true})], 'darwin', 'arm64');
    expect(gpus).toEqual([{index: 0, name: 'Apple M2 Pro', vramUsedBytes: null, vramTotalBytes: null, utilizationPct: null, sharedMemory: true}]);
  });

  it('an AMD card with its own VRAM and an Intel iGPU sharing RAM', () => {
    const gpus = gpusFromGraphics(
      [
        controller({vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', model: 'Navi 31 [Radeon RX 7900 XTX]', vram: 24576}),
        controller({vendor: 'Intel Corporation', model: 'Raptor Lake-S GT1 [UHD Graphics 770]', vramDynamic: true}),
      ],
      'linux',
      'x64',
    );
    expect(gpus.map((g) => [g.name, g.vramTotalBytes, g.sharedMemory])).toEqual([
      ['Advanced Micro Devices, Inc. [AMD/ATI] Navi 31 [Radeon RX 7900 XTX]', 24576 * MiB, false],
      ['Intel Corporation Raptor Lake-S GT1 [UHD Graphics 770]', null, true],
    ]);
  });

  it('virtual machine and server management adapters are not GPUs: "no GPU"', () => {
    const gpus = gpusFromGraphics(
      [
        controller({vendor: 'Cirrus Logic', model: 'GD 5446', vram: 16}),
        controller({vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', vram: 64}),
        controller({vendor: 'Red Hat, Inc.', model: 'Virtio GPU'}),
      ],
      'linux',
      'x64',
    );
    expect(gpus).toEqual([]);
  });

  it('sanitizes names', () => {
    const [gpu] = gpusFromGraphics([controller({vendor: 'NVIDIA', model: `NVIDIA T${ESC}[31m4\u0007`, vram: 15360})], 'linux', 'x64');
    expect(gpu?.name).toBe('NVIDIA T4');
  });
});

describe('whether Linux has a GPU driver for graphics() to ask about', () => {
  let drm: string;
  beforeEach(async () => {
    drm = await mkdtemp(path.join(os.tmpdir(), 'mai-drm-'));
  });
  afterEach(() => rm(drm, {recursive: true, force: true}));
  const card = async (name: string, vendor: string) => {
    await mkdir(path.join(drm, name, 'device'), {recursive: true});
    await writeFile(path.join(drm, name, 'device', 'vendor'), `${vendor}\n`);
  };

  it('an AMD card bound to its driver: yes', async () => {
    await card('card0', '0x1002');
    expect(await linuxHasComputeGpu(drm)).toBe(true);
  });

  it("a virtual machine's display adapter only (Red Hat virtio, Cirrus): no", async () => {
    await card('card0', '0x1af4');
    await card('card1', '0x1013');
    // Connectors are listed beside the cards; they are not cards.
    await mkdir(path.join(drm, 'card0-Virtual-1'));
    expect(await linuxHasComputeGpu(drm)).toBe(false);
  });

  it('no /sys/class/drm at all (a container, a server without a display driver): no', async () => {
    expect(await linuxHasComputeGpu(path.join(drm, 'absent'))).toBe(false);
  });
});

describe('the nvidia-smi reader, with a stand-in nvidia-smi process', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mai-gpu-'));
  });

  afterEach(async () => {
    delete process.env.STAND_IN_GPUS;
    delete process.env.STAND_IN_PID_LOG;
    delete process.env.STAND_IN_FAIL;
    await rm(dir, {recursive: true, force: true});
  });

  async function startedPids(): Promise<number[]> {
    const text = await readFile(path.join(dir, 'pids'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  function standIn(gpus: readonly object[], fail?: string): string {
    process.env.STAND_IN_GPUS = JSON.stringify(gpus);
    process.env.STAND_IN_PID_LOG = path.join(dir, 'pids');
    if (fail) process.env.STAND_IN_FAIL = fail;
    return installNvidiaSmiStandIn(dir);
  }

  it('keeps one process for every sample, reads each GPU, and ends it on stop', async () => {
    const command = standIn([
      {name: 'NVIDIA GeForce RTX 4090', usedMiB: 2000, totalMiB: 24564, utilization: 35},
      {name: 'NVIDIA GeForce RTX 3060', usedMiB: 100, totalMiB: 12288, utilization: '[N/A]'},
    ]);
    const reader = new NvidiaSmiReader({command, intervalMs: 50});
    reader.start();
    await reader.settled(20_000);
    expect(reader.state).toBe('running');
    const pid = reader.pid ?? -1;
    await waitFor(() => reader.readings().length === 2);
    // Several intervals later: the same process, and readings that moved.
    const first = reader.readings()[0]?.vramUsedBytes;
    await waitFor(() => reader.readings()[0]?.vramUsedBytes !== first);
    expect(reader.readings().map((r) => [r.index, r.name, r.utilizationPct])).toEqual([
      [0, 'NVIDIA GeForce RTX 4090', 35],
      [1, 'NVIDIA GeForce RTX 3060', null],
    ]);
    expect(await startedPids()).toEqual([pid]);
    reader.stop();
    await waitFor(() => !processExists(pid));
    expect(reader.readings()).toEqual([]);
  });

  it('with no nvidia-smi at all: absent, and no process left', async () => {
    const reader = new NvidiaSmiReader({command: path.join(dir, 'no-such-nvidia-smi'), intervalMs: 50});
    reader.start();
    await reader.settled(20_000);
    expect(reader.state).toBe('absent');
    expect(reader.pid).toBeUndefined();
    expect(reader.readings()).toEqual([]);
  });

  it('looks for nvidia-smi on PATH before spawning it: a bare name, a path, a file that cannot run', async () => {
    const command = standIn([], 'driver');
    expect(onPath(path.basename(command), ['/nonexistent', path.dirname(command)].join(path.delimiter))).toBe(true);
    expect(onPath(path.basename(command), '/nonexistent')).toBe(false);
    expect(onPath(command)).toBe(true);
    expect(onPath(path.dirname(command))).toBe(false);
    await writeFile(path.join(dir, 'not-executable'), 'echo');
    expect(onPath('not-executable', dir)).toBe(false);
  });

  it('with nvidia-smi but no driver (it exits 9 before any reading): absent', async () => {
    const problems: string[] = [];
    const command = standIn([], 'driver');
    const reader = new NvidiaSmiReader({command, intervalMs: 50, onProblem: (message) => problems.push(message)});
    reader.start();
    await reader.settled(20_000);
    expect(reader.state).toBe('absent');
    expect(problems).toEqual(['nvidia-smi exited (code 9)']);
    expect(await startedPids()).toHaveLength(1);
  });

  it('restarts a reader that was killed after it had worked', async () => {
    const command = standIn([{name: 'NVIDIA L4', usedMiB: 1, totalMiB: 23034, utilization: 0}]);
    const problems: string[] = [];
    const reader = new NvidiaSmiReader({command, intervalMs: 50, onProblem: (message) => problems.push(message)});
    reader.start();
    await reader.settled(20_000);
    const firstPid = reader.pid ?? -1;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => reader.pid !== undefined && reader.pid !== firstPid && reader.readings().length === 1);
    expect(problems).toEqual(['nvidia-smi exited (SIGKILL); restarting']);
    expect(await startedPids()).toEqual([firstPid, reader.pid]);
    reader.stop();
  });
});

describe('the GPU monitor', () => {
  it('without nvidia-smi falls back to systeminformation, and with nothing there says "no GPU" ([])', async () => {
    let graphicsCalls = 0;
    const monitor = new GpuMonitor({
      intervalMs: 1000,
      nvidiaSmi: path.join(os.tmpdir(), 'mai-no-such-nvidia-smi'),
      graphics: async () => {
        graphicsCalls += 1;
        return [{vendor: 'Cirrus Logic', model: 'GD 5446', vram: 16, vramDynamic: false}];
      },
    });
    expect(monitor.snapshot()).toBeNull();
    await monitor.ready(20_000);
    expect(monitor.source).toBe('none');
    expect(monitor.snapshot()).toEqual([]);
    expect(graphicsCalls).toBe(1);
    monitor.stop();
  });

  it('on Apple Silicon shows the GPU as sharing RAM', async () => {
    const monitor = new GpuMonitor({
      intervalMs: 1000,
      nvidiaSmi: path.join(os.tmpdir(), 'mai-no-such-nvidia-smi'),
      platform: 'darwin',
      arch: 'arm64',
      graphics: async () => [{vendor: 'Apple', model: 'Apple M3 Max', vram: null, vramDynamic: true}],
    });
    await monitor.ready(20_000);
    expect(monitor.source).toBe('systeminformation');
    expect(monitor.snapshot()).toMatchObject([{name: 'Apple M3 Max', sharedMemory: true}]);
    monitor.stop();
  });
});
