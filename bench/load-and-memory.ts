import os from 'node:os';
import path from 'node:path';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import {residentBytes} from '../test/support/processes.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {ms} from './figures.js';

// What loading a demo model costs: the time from asking to a ready engine (a new engine host
// process, node-llama-cpp, the model, its context) and resident memory before, during and after.

export type LoadRow = {
  model: string;
  loadMs: number;
  /** With a spare engine process started ahead of time (what the TUI does). */
  loadWithSpareMs: number;
  maiRssBeforeMB: number;
  engineRssLoadedMB: number;
  maiRssAfterUnloadMB: number;
  engineGoneAfterUnload: boolean;
};

const LOADS = 3;
// Time for a spare engine to start (node-llama-cpp import and binding) before the next load.
const SPARE_WARMUP_MS = 1500;
const MB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

async function loadsWithSpare(dir: string, key: string, contextLength: number, threads: number, loads: number): Promise<number[]> {
  const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 64, temperature: 0.7, keepSpareEngine: true});
  await backend.listModels();
  let handle = await backend.load(key, {contextLength});
  const times: number[] = [];
  for (let i = 0; i < loads; i++) {
    await backend.unload(handle);
    await new Promise((resolve) => setTimeout(resolve, SPARE_WARMUP_MS));
    const started = performance.now();
    handle = await backend.load(key, {contextLength});
    times.push(performance.now() - started);
  }
  await backend.dispose();
  return times;
}

/** `withSpare: false` leaves out the loads with a spare engine (the suite's quick run). */
export async function measureLoadAndMemory(threads: number, loads = LOADS, withSpare = true): Promise<LoadRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 64, temperature: 0.7});
  await backend.listModels();
  const rows: LoadRow[] = [];
  for (const spec of DEMO_MODELS) {
    const times: number[] = [];
    let engineRss = 0;
    let gone = true;
    const before = process.memoryUsage.rss();
    for (let i = 0; i < loads; i++) {
      const started = performance.now();
      const handle = await backend.load(spec.name, {contextLength: spec.contextLength});
      times.push(performance.now() - started);
      await backend.respond(handle, [{role: 'user', content: 'touch every weight'}]);
      engineRss = Math.max(engineRss, residentBytes(handle.pid as number));
      await backend.unload(handle);
      gone &&= residentBytes(handle.pid as number) === 0;
    }
    rows.push({
      model: spec.name,
      loadMs: median(times),
      loadWithSpareMs: withSpare ? median(await loadsWithSpare(dir, spec.name, spec.contextLength, threads, loads)) : NaN,
      maiRssBeforeMB: Math.round(before / MB),
      engineRssLoadedMB: Math.round(engineRss / MB),
      maiRssAfterUnloadMB: Math.round(process.memoryUsage.rss() / MB),
      engineGoneAfterUnload: gone,
    });
  }
  await backend.dispose();
  return rows;
}

/**
 * Suite rows: a load's time (with and without a spare engine) and what memory it leaves behind —
 * context, no goal of its own, except that an unload ends the engine and the UI process does not
 * grow (the 2026-11-25 run showed the benchmark's RSS 129→153 MB across loads; reported here).
 */
export async function benchLoadAndMemory(options: BenchOptions & {threads: number}): Promise<BenchRow[]> {
  const rows = await measureLoadAndMemory(options.threads, options.quick ? 1 : LOADS, !options.quick);
  return rows.map((row) => ({
    id: 'load',
    name: `load and memory, ${row.model}`,
    goal: 'engine gone after unload',
    figure: `load ${ms(row.loadMs)}${Number.isNaN(row.loadWithSpareMs) ? '' : `, with a spare ${ms(row.loadWithSpareMs)}`}; engine ${row.engineRssLoadedMB} MB; bench RSS ${row.maiRssBeforeMB}→${row.maiRssAfterUnloadMB} MB`,
    met: row.engineGoneAfterUnload,
    values: row,
  }));
}
