import '../support/force-color.js';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import {ResourceGauge} from '../../components/ResourceGauge.js';
import {
  createMaiStore,
  emptyHostResources,
  LOCAL_HOST,
  NO_PRESSURE,
  type GpuSample,
  type HostResources,
  type MaiStore,
} from '../../src/store.js';
import {settle} from '../support/ink-keys.js';


// The resource gauge as Ink draws it, from the real store: the rows a user reads at several widths,
// with and without GPUs, the pressure marks and colours, and no frame for a sample that changes
// nothing visible.

const GiB = 1024 ** 3;
const ESC = '\u001b';

const rtx4090: GpuSample = {
  index: 0,
  name: 'NVIDIA GeForce RTX 4090',
  vramUsedBytes: 6 * GiB,
  vramTotalBytes: 24 * GiB,
  utilizationPct: 35,
  sharedMemory: false,
};

function host(fields: Partial<HostResources> = {}): HostResources {
  return {
    ...emptyHostResources(),
    cpu: {totalPct: 37, perCorePct: [30, 44]},
    memory: {totalBytes: 24 * GiB, availableBytes: 12 * GiB, usedBytes: 12 * GiB, swapTotalBytes: 0, swapUsedBytes: 0},
    gpus: [],
    cpuHistory: Array.from({length: 120}, (_, i) => (i * 7) % 100),
    ramHistory: Array.from({length: 120}, () => 50),
    modelRssBytes: {'qwen2.5-7b': 1.5 * GiB},
    maiRssBytes: 90e6,
    sampledAt: 1,
    ...fields,
  };
}

function storeWith(resources: HostResources): MaiStore {
  const store = createMaiStore();
  store.getState().setHostResources(LOCAL_HOST, resources);
  return store;
}

async function renderGauge(store: MaiStore, width: number, ascii = false) {
  const instance = render(<ResourceGauge store={store} width={width} height={12} ascii={ascii} />);
  await settle();
  const lines = () => stripAnsi(instance.lastFrame() ?? '').split('\n');
  const row = (label: string) => lines().find((line) => line.startsWith(`│ ${label}`)) ?? '';
  return {...instance, lines, row};
}

afterEach(() => {
  cleanup();
});

describe('the resource gauge', () => {
  it.each([60, 100, 160])('at %i columns: one row per resource, each within the width', async (width) => {
    const {lines, row} = await renderGauge(storeWith(host()), width);
    expect(lines()[0]).toMatch(/^┌ resources ─+┐$/);
    expect(stringWidth(lines()[0] ?? '')).toBe(width);
    for (const line of lines()) expect(stringWidth(line)).toBeLessThanOrEqual(width);
    expect(row('CPU')).toMatch(/^│ CPU {3}[⠀-⣿]+ +37% [ ⠀-⣿]+ *│$/);
    expect(row('RAM')).toMatch(/^│ RAM {3}[⠀-⣿]+ 12\.0\/24\.0G [ ⠀-⣿]+ *│$/);
    expect(lines().join('\n')).toContain('models 1.5G · other 11G');
    expect(row('VRAM')).toMatch(/^│ VRAM {2}no GPU +│$/);
    // Wider gauges draw longer sparklines: the history of 120 samples shows as far as it fits.
    const sparkCells = (row('CPU').match(/37% ([ ⠀-⣿]+)/)?.[1] ?? '').trim().length;
    expect(sparkCells).toBeGreaterThan(width === 60 ? 10 : 30);
  });

  it('at the side column width of a 100-column terminal (30) still shows every figure', async () => {
    const {row, lines} = await renderGauge(storeWith(host()), 30);
    expect(row('CPU')).toContain('37%');
    expect(row('RAM')).toContain('12.0/24.0G');
    expect(lines().join('\n')).toContain('models 1.5G · other 11G');
  });

  it('shows "…" until the first sample, and VRAM "…" until the GPUs are known', async () => {
    const {row} = await renderGauge(storeWith(emptyHostResources()), 40);
    expect(row('CPU')).toMatch(/CPU +… /);
    expect(row('RAM')).toMatch(/RAM +… /);
    expect(row('VRAM')).toMatch(/VRAM +… /);
  });

  it('shows VRAM per GPU with its name and utilization; names are sanitized', async () => {
    const second: GpuSample = {...rtx4090, index: 1, name: `Evil${ESC}]0;pwned\u0007 GPU${ESC}[2J`, vramUsedBytes: 11 * GiB, vramTotalBytes: 12 * GiB, utilizationPct: null};
    const store = storeWith(host({gpus: [rtx4090, second], vramHistory: [[10, 20, 25], [90, 91, 92]], pressure: {...NO_PRESSURE, vram: 'elevated', gpus: ['ok', 'elevated']}}));
    const {row, lines, lastFrame} = await renderGauge(store, 60);
    expect(row('GPU0')).toMatch(/GPU0 {2}[⠀-⣿]+ 6\.0\/24\.0G [ ⠀-⣿]+/);
    expect(row('GPU1!')).toMatch(/GPU1! [⠀-⣿]+ 11\.0\/12\.0G/);
    expect(lines().join('\n')).toContain('35% busy · NVIDIA GeForce RTX 4090');
    expect(lines().join('\n')).toContain('Evil GPU');
    expect(lastFrame()).not.toContain(`${ESC}]0;`);
    expect(lastFrame()).not.toContain(`${ESC}[2J`);
  });

  it('one GPU is labelled VRAM', async () => {
    const {row} = await renderGauge(storeWith(host({gpus: [rtx4090], vramHistory: [[25]]})), 60);
    expect(row('VRAM')).toMatch(/VRAM {2}[⠀-⣿]+ 6\.0\/24\.0G/);
  });

  it('Apple Silicon: VRAM is shared with RAM', async () => {
    const m2: GpuSample = {index: 0, name: 'Apple M2 Pro', vramUsedBytes: null, vramTotalBytes: null, utilizationPct: null, sharedMemory: true};
    const {row} = await renderGauge(storeWith(host({gpus: [m2], vramHistory: [[]]})), 60);
    expect(row('VRAM')).toMatch(/VRAM {2}shared with RAM · Apple M2 Pro/);
  });

  it('marks elevated with ! and critical with !!, and colours the bar yellow and red', async () => {
    const store = storeWith(host({pressure: {...NO_PRESSURE, cpu: 'elevated', ram: 'critical'}}));
    const {row, lastFrame} = await renderGauge(store, 60);
    expect(row('CPU!')).toMatch(/^│ CPU! {2}[⠀-⣿]/);
    expect(row('RAM!!')).toMatch(/^│ RAM!! [⠀-⣿]/);
    const raw = lastFrame() ?? '';
    const ramLine = raw.split('\n').find((line) => line.includes('RAM!!')) ?? '';
    expect(ramLine).toContain(`${ESC}[31m`); // red
    expect(raw.split('\n').find((line) => line.includes('CPU!')) ?? '').toContain(`${ESC}[33m`); // yellow
  });

  it("draws mai's models in their own colour at the start of the RAM bar", async () => {
    // 12 of 24 GiB used, 6 GiB of it by the models: at 60 columns the bar has 8 cells, 4 filled, 2 the models'.
    const {lastFrame} = await renderGauge(storeWith(host({modelRssBytes: {a: 4 * GiB, b: 2 * GiB}})), 60);
    const ramLine = (lastFrame() ?? '').split('\n').find((line) => line.includes('RAM')) ?? '';
    expect(ramLine).toContain(`${ESC}[35m⣿⣿${ESC}[32m⣿⣿`); // magenta, then green (ok)
  });

  it('adds a swap row when the machine has swap', async () => {
    const store = storeWith(host({memory: {totalBytes: 24 * GiB, availableBytes: 12 * GiB, usedBytes: 12 * GiB, swapTotalBytes: 2 * GiB, swapUsedBytes: 0.5 * GiB}}));
    const {row} = await renderGauge(store, 60);
    expect(row('Swap')).toMatch(/Swap {2}[⠀-⣿]+ 0\.5\/2\.0G/);
  });

  it('draws block characters with ascii', async () => {
    const {row, lines} = await renderGauge(storeWith(host()), 60, true);
    expect(row('CPU')).toMatch(/CPU {3}[█▏▎▍▌▋▊▉░]+ +37% [▁▂▃▄▅▆▇█ ]+/);
    expect(lines().join('\n')).not.toMatch(/[⡀-⣿]/);
  });

  it('a sample that changes nothing visible draws no frame; one that does, draws one', async () => {
    const flat = host({cpu: {totalPct: 37.2, perCorePct: [37.2]}, cpuHistory: Array<number>(120).fill(37)});
    const store = storeWith(flat);
    const {frames, row} = await renderGauge(store, 60);
    const before = frames.length;
    // CPU 37.2 % -> 37.4 %: still "37%", the same sparkline cells; RAM unchanged; a new sample time.
    store.getState().setHostResources(LOCAL_HOST, {...flat, cpu: {totalPct: 37.4, perCorePct: [37.4]}, cpuHistory: Array<number>(120).fill(37.4), sampledAt: 2});
    await settle();
    expect(frames.length).toBe(before);
    store.getState().setHostResources(LOCAL_HOST, {...flat, cpu: {totalPct: 64, perCorePct: [64]}, sampledAt: 3});
    await settle();
    expect(frames.length).toBe(before + 1);
    expect(row('CPU')).toContain('64%');
  });

  it('other store updates (a streaming reply) draw no frame', async () => {
    const store = storeWith(host());
    const {frames} = await renderGauge(store, 60);
    const before = frames.length;
    store.getState().notify('a notice');
    store.getState().setBusy(true);
    await settle();
    expect(frames.length).toBe(before);
  });
});
