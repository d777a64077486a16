import os from 'node:os';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {benchContextRefit} from './context-refit.js';
import {benchEstimateError} from './estimate-error.js';
import {benchLMStudioOverhead, benchLMStudioStart} from './lmstudio-overhead.js';
import {benchLoadAndMemory} from './load-and-memory.js';
import {benchMonitorCost} from './monitor-cost.js';
import {benchPasteLatency} from './paste-latency.js';
import {benchPreloadedSwitch, benchPressureOnset, benchSelectionTime} from './switching.js';
import {benchTokensPerSecond} from './tokens-per-second.js';
import {measureFrameBytes} from './frame-bytes.js';
import {measureHostFailover} from './host-failover.js';
import {measureKeystrokeLatency} from './keystroke-latency.js';
import {measureOpenAIOverhead} from './openai-overhead.js';
import {measureStartUp} from './start-up.js';
import {measureStreamingCost} from './streaming-cost.js';

// Every benchmark of `npm run bench`, in the order they run. Each entry returns rows of the one
// table (bench-row.ts); `quick` says whether it has a reduced form for `--quick` (fewer repetitions,
// smaller sizes). An entry without one runs in full under --quick too, and says so in the table.

export type SuiteOptions = BenchOptions & {
  /** llama.cpp thread counts to compare (P8); the other engine benchmarks use the first. */
  readonly threads: readonly number[];
};

export type BenchEntry = {
  /** The id(s) its rows carry; `--only` matches this or one of `aliases`. */
  readonly id: string;
  readonly name: string;
  /** The older `--only` names (speed, load, monitor, …) that still select it. */
  readonly aliases: readonly string[];
  /** Whether it has a reduced form for --quick. */
  readonly quick: boolean;
  readonly run: (options: SuiteOptions) => Promise<BenchRow[]>;
};

/** mai's default on this machine: one thread up to 2 cores (BENCHMARKS.md: 2 threads spin on 2 cores). */
export function defaultBenchThreads(): number[] {
  const cores = os.availableParallelism();
  return cores <= 2 ? [1, 2] : [1, Math.floor(cores / 2)];
}

const first = (options: SuiteOptions) => ({quick: options.quick, threads: options.threads[0] ?? 1});

export const SUITE: readonly BenchEntry[] = [
  // First, while the LM Studio SDK is not imported yet: its import is part of a first connection.
  {id: 'LMS', name: 'LM Studio at start-up', aliases: ['lmstudio'], quick: false, run: benchLMStudioStart},
  {id: 'select', name: 'selection time', aliases: ['switching', 'selection'], quick: false, run: benchSelectionTime},
  {id: 'P8', name: 'tokens/s, mai ÷ raw node-llama-cpp', aliases: ['speed'], quick: true, run: benchTokensPerSecond},
  {id: 'load', name: 'load time and memory', aliases: ['load'], quick: true, run: (options) => benchLoadAndMemory(first(options))},
  {id: 'P5', name: 'resource monitor cost', aliases: ['monitor'], quick: true, run: benchMonitorCost},
  {id: 'LMS', name: 'LM Studio path overhead', aliases: ['lmstudio'], quick: true, run: (options) => benchLMStudioOverhead(first(options))},
  {id: 'P10', name: 'context refit and summaries', aliases: ['context'], quick: true, run: (options) => benchContextRefit(first(options))},
  {id: 'P9', name: 'memory estimate error', aliases: ['estimate'], quick: true, run: (options) => benchEstimateError(first(options))},
  {id: 'P7', name: 'preloaded and cold switches', aliases: ['switching'], quick: true, run: benchPreloadedSwitch},
  {id: 'P6', name: 'pressure onset → switch started', aliases: ['switching', 'pressure'], quick: true, run: benchPressureOnset},
  {id: 'R7', name: '1 MB paste, then a key', aliases: ['paste'], quick: false, run: benchPasteLatency},
  {id: 'P1', name: 'keystroke → frame', aliases: ['tui', 'keystroke'], quick: true, run: measureKeystrokeLatency},
  {id: 'P2', name: 'UI streaming cost', aliases: ['tui', 'streaming'], quick: true, run: measureStreamingCost},
  {id: 'P3', name: 'start-up and idle (P3, P4)', aliases: ['tui', 'start', 'p4'], quick: true, run: measureStartUp},
  {id: 'frame', name: 'bytes per streamed frame', aliases: ['tui', 'frames'], quick: true, run: measureFrameBytes},
  {id: 'H1', name: 'OpenAI-compatible path overhead (H1, H2)', aliases: ['openai', 'hosts', 'h2'], quick: true, run: measureOpenAIOverhead},
  {id: 'H3', name: 'host failover', aliases: ['hosts'], quick: true, run: measureHostFailover},
];

/** The entries `--only` names (comma-separated ids or aliases, any case); all without it. */
export function selectEntries(suite: readonly BenchEntry[], only: string | undefined): BenchEntry[] {
  if (only === undefined) return [...suite];
  const wanted = only.split(',').map((word) => word.trim().toLowerCase());
  return suite.filter((entry) => wanted.some((word) => entry.id.toLowerCase() === word || entry.aliases.includes(word)));
}
