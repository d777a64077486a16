import os from 'node:os';
import path from 'node:path';
import {ChatMLChatWrapper, getLlama, LlamaChat, LlamaLogLevel} from 'node-llama-cpp';
import {loadConfig} from '../src/config.js';
import {Mai} from '../src/mai.js';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {int, ms, times} from './figures.js';

// Decode speed of each demo model through all of mai (Mai -> ModelManager -> engine host over
// IPC -> node-llama-cpp) against node-llama-cpp called directly in this process, in one run.
// Both are timed the same way, from the consumer's side: from the first text chunk received to
// the last, over the tokens after the first.

export type SpeedRow = {
  model: string;
  threads: number;
  rawTokensPerSecond: number;
  maiTokensPerSecond: number;
  ratio: number;
  rawTimeToFirstTokenMs: number;
  maiTimeToFirstTokenMs: number;
};

const REPLIES = 15;

type Timing = {tokens: number; decodeMs: number; ttftMs: number};

function summarize(timings: readonly Timing[]): {tokensPerSecond: number; ttftMs: number} {
  const tokens = timings.reduce((sum, t) => sum + t.tokens - 1, 0);
  const ms = timings.reduce((sum, t) => sum + t.decodeMs, 0);
  const ttft = [...timings].map((t) => t.ttftMs).sort((a, b) => a - b)[Math.floor(timings.length / 2)] ?? 0;
  return {tokensPerSecond: (tokens / ms) * 1000, ttftMs: ttft};
}

async function rawEngine(file: string, contextSize: number, threads: number, replies: number): Promise<Timing[]> {
  const llama = await getLlama({gpu: false, build: 'never', maxThreads: threads, logLevel: LlamaLogLevel.error});
  const model = await llama.loadModel({modelPath: file});
  const context = await model.createContext({contextSize, threads});
  const chat = new LlamaChat({contextSequence: context.getSequence(), chatWrapper: new ChatMLChatWrapper()});
  const timings: Timing[] = [];
  for (let i = 0; i < replies + 1; i++) {
    const started = performance.now();
    let first = 0;
    let tokens = 0;
    await chat.generateResponse([{type: 'user', text: `question ${i}`}, {type: 'model', response: []}], {
      maxTokens: 256,
      onToken: (chunk) => (tokens += chunk.length),
      onTextChunk: () => {
        if (!first) first = performance.now();
      },
    });
    if (i > 0) timings.push({tokens, decodeMs: performance.now() - first, ttftMs: first - started});
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return timings;
}

async function throughMai(mai: Mai, key: string, replies: number): Promise<Timing[]> {
  await mai.switchTo(key, 'benchmark');
  const timings: Timing[] = [];
  for (let i = 0; i < replies + 1; i++) {
    const started = performance.now();
    let first = 0;
    const stream = mai.streamMessage(`question ${i}`);
    let result = await stream.next();
    while (!result.done) {
      if (!first) first = performance.now();
      result = await stream.next();
    }
    if (i > 0) timings.push({tokens: result.value.stats.tokensOut, decodeMs: performance.now() - first, ttftMs: first - started});
    // Each reply starts from a fresh conversation, as the raw engine's do.
    await mai.newConversation();
  }
  return timings;
}

export async function measureTokensPerSecond(threadCounts: readonly number[], replies = REPLIES): Promise<SpeedRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const rows: SpeedRow[] = [];
  for (const threads of threadCounts) {
    const home = path.join(os.tmpdir(), `mai-bench-home-${process.pid}`);
    const env = {HOME: home, PATH: process.env.PATH, MAI_MODELS_DIR: dir};
    const {config, paths} = await loadConfig({env});
    const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 256, temperature: config.engine.temperature});
    const mai = await Mai.create({config, paths, backends: [backend], forgeDemoModels: false, saveConversation: false});
    for (const spec of DEMO_MODELS) {
      const file = path.join(dir, `${spec.name}.gguf`);
      const raw = summarize(await rawEngine(file, spec.contextLength, threads, replies));
      const viaMai = summarize(await throughMai(mai, spec.name, replies));
      rows.push({
        model: spec.name,
        threads,
        rawTokensPerSecond: Math.round(raw.tokensPerSecond),
        maiTokensPerSecond: Math.round(viaMai.tokensPerSecond),
        ratio: Math.round((viaMai.tokensPerSecond / raw.tokensPerSecond) * 100) / 100,
        rawTimeToFirstTokenMs: Math.round(raw.ttftMs * 10) / 10,
        maiTimeToFirstTokenMs: Math.round(viaMai.ttftMs * 10) / 10,
      });
    }
    await mai.shutdown();
  }
  return rows;
}

/** P8 goal: mai's decode speed within 10 % of the raw engine's, same model and settings. */
const P8_MIN_RATIO = 0.9;

/** Suite rows (P8): one per model and thread count; quick runs one thread count and 3 replies. */
export async function benchTokensPerSecond(options: BenchOptions & {threads: readonly number[]}): Promise<BenchRow[]> {
  const rows = await measureTokensPerSecond(options.quick ? options.threads.slice(0, 1) : options.threads, options.quick ? 3 : REPLIES);
  return rows.map((row) => ({
    id: 'P8',
    name: `mai ÷ raw tokens/s, ${row.model}, ${row.threads} thread${row.threads === 1 ? '' : 's'}`,
    goal: `≥ ${P8_MIN_RATIO.toFixed(2)}×`,
    figure: `${times(row.ratio)} (${int(row.maiTokensPerSecond)} vs ${int(row.rawTokensPerSecond)} tok/s; TTFT ${ms(row.maiTimeToFirstTokenMs)} vs ${ms(row.rawTimeToFirstTokenMs)})`,
    met: row.ratio >= P8_MIN_RATIO,
    values: row,
  }));
}
