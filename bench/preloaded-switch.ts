import path from 'node:path';
import {getLlama, LlamaLogLevel} from 'node-llama-cpp';
import {DEMO_MODELS} from '../src/backends/embedded/demo-models.js';
import {defaultThreadCount} from '../src/backends/embedded/threads.js';
import type {GpuSetting} from '../src/config/types.js';
import {Mai} from '../src/mai.js';
import {createBenchHome} from './bench-home.js';

// P7 (issue 10): a switch to a model preloaded in the background, and a cold switch (the model not
// loaded), each against the raw node-llama-cpp load of the same file in this process (getLlama +
// loadModel + createContext, the same GPU setting, threads and context size as mai's engine).
// Goal: a preloaded switch under 100 ms.
//
// A switch is timed from asking the ModelManager (switchTo) to the store naming the new model
// current (loaded, the conversation transferred to it): what the switch record's `ms` says, to the
// millisecond only. `…CallMs` is the caller's wait for switchTo, which also unloads the model
// switched away from: a reply asked for right after a switch waits for that too. Each switch goes
// from another demo model; the model switched to is not loaded before a cold switch, and no
// spare engine is kept (bench/load-and-memory.ts measures loads with one). Median of RUNS of each.

export type PreloadedSwitchRow = {
  model: string;
  rawLoadMs: number;
  /** The raw load without getLlama (the binding and its backends): what a started engine still has to do. */
  rawModelMs: number;
  coldSwitchMs: number;
  coldRatio: number;
  coldCallMs: number;
  preloadedSwitchMs: number;
  preloadedRatio: number;
  preloadedCallMs: number;
};

const RUNS = 3;
/** After a preload, before the switch: the engine's one-token warm-up and memory reading run first (engine-host.ts). */
const SETTLE_MS = 300;

type Timed = {readonly ms: number; readonly callMs: number};

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type RawLoad = {totalMs: number; modelMs: number};

/** getLlama + loadModel + createContext, disposed after each; `modelMs` leaves getLlama out. */
async function rawLoads(file: string, contextSize: number, gpu: GpuSetting, threads: number, runs: number): Promise<RawLoad[]> {
  const times: RawLoad[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const llama = await getLlama({gpu, build: 'never', maxThreads: threads, logLevel: LlamaLogLevel.error});
    const engineReady = performance.now();
    const model = await llama.loadModel({modelPath: file});
    const context = await model.createContext({contextSize: Math.min(contextSize, model.trainContextSize), threads});
    const done = performance.now();
    times.push({totalMs: done - started, modelMs: done - engineReady});
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
  return times;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`P7: timed out waiting for ${what}`);
    await sleep(5);
  }
}

export async function measurePreloadedSwitch(runs = RUNS): Promise<PreloadedSwitchRow[]> {
  const home = await createBenchHome(['preload: false']);
  const mai = await Mai.create({env: home.env, configPath: home.configPath, forgeDemoModels: false, saveConversation: false});
  const {engine} = mai.config;
  const threads = engine.threads === 'auto' ? defaultThreadCount() : engine.threads;
  const rows: PreloadedSwitchRow[] = [];
  // Timed here to the store's update (the record's own `ms` is in whole milliseconds: 0 for a preloaded switch).
  const timedSwitch = async (key: string, reason: string): Promise<Timed> => {
    const started = performance.now();
    let currentAt = NaN;
    const stop = mai.store.subscribe((state) => {
      if (Number.isNaN(currentAt) && state.models.currentKey === key) currentAt = performance.now();
    });
    await mai.models.switchTo(key, reason, 'task').finally(stop);
    const callMs = performance.now() - started;
    const record = mai.store.getState().models.lastSwitch;
    if (record?.to !== key || record.reason !== reason || Number.isNaN(currentAt)) throw new Error(`P7: no switch to ${key} recorded`);
    return {ms: currentAt - started, callMs};
  };
  const names = DEMO_MODELS.map((spec) => spec.name);
  const cold = new Map<string, Timed[]>(names.map((name) => [name, []]));
  const preloaded = new Map<string, Timed[]>(names.map((name) => [name, []]));
  const contextLength = new Map<string, number>();
  try {
    await mai.models.switchTo(names[0] as string, 'the benchmark starts', 'task');
    // Round the three models, each step from the model the one before left current: cold to the
    // next, preloaded to the one after, and so on, so that every load is a measured switch.
    for (let run = 0; run < runs; run++) {
      for (let step = 0; step < names.length; step++) {
        const coldKey = names[(2 * step + 1) % names.length] as string;
        const preloadKey = names[(2 * step + 2) % names.length] as string;
        await sleep(SETTLE_MS);
        cold.get(coldKey)?.push(await timedSwitch(coldKey, `cold ${run}`));
        contextLength.set(coldKey, mai.models.current()?.handle.contextLength ?? 0);
        mai.models.preload(preloadKey, 'the benchmark expects it');
        await waitFor(() => mai.store.getState().models.status[preloadKey]?.state === 'loaded', `${preloadKey} preloaded`);
        await sleep(SETTLE_MS);
        preloaded.get(preloadKey)?.push(await timedSwitch(preloadKey, `preloaded ${run}`));
      }
    }
    for (const key of names) {
      const raws = await rawLoads(path.join(home.modelDir, `${key}.gguf`), contextLength.get(key) ?? 0, engine.gpu, threads, runs);
      const raw = median(raws.map((load) => load.totalMs));
      const coldMs = median((cold.get(key) ?? []).map((run) => run.ms));
      const preloadedMs = median((preloaded.get(key) ?? []).map((run) => run.ms));
      rows.push({
        model: key,
        rawLoadMs: round1(raw),
        rawModelMs: round1(median(raws.map((load) => load.modelMs))),
        coldSwitchMs: round1(coldMs),
        coldRatio: round2(coldMs / raw),
        coldCallMs: round1(median((cold.get(key) ?? []).map((run) => run.callMs))),
        preloadedSwitchMs: round2(preloadedMs),
        preloadedRatio: Math.round((preloadedMs / raw) * 10000) / 10000,
        preloadedCallMs: round1(median((preloaded.get(key) ?? []).map((run) => run.callMs))),
      });
    }
  } finally {
    await mai.shutdown();
    await home.cleanup();
  }
  return rows;
}
