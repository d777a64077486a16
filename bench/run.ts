import {mkdir, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {measureContextRefit, measureSummaryLatency} from './context-refit.js';
import {measureEstimateError} from './estimate-error.js';
import {measureLoadAndMemory} from './load-and-memory.js';
import {measureMonitorCost} from './monitor-cost.js';
import {measureLMStudioOverhead, measureLMStudioStart} from './lmstudio-overhead.js';
import {measureSwitching} from './switching.js';
import {measureTokensPerSecond} from './tokens-per-second.js';

// `npm run bench`: runs every benchmark, prints a table, and writes bench/results/<date>.json.
// Figures are ratios within one run (mai against the raw engine), so a noisy machine skews both.

const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function machine() {
  const cpus = os.cpus();
  return {cpu: cpus[0]?.model ?? 'unknown', cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}`};
}

const threads = process.argv.includes('--threads')
  ? (process.argv[process.argv.indexOf('--threads') + 1] ?? '1').split(',').map(Number)
  : os.availableParallelism() <= 2
    ? [1, 2]
    : [1, Math.floor(os.availableParallelism() / 2)];

// `--only monitor` (or speed, load, lmstudio, context, estimate, switching) runs one benchmark; its results join the day's file.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const runs = (name: string) => only === undefined || only === name;

const started = new Date();
const results: Record<string, unknown> = {};
if (runs('lmstudio')) {
  // First, while the SDK is not imported yet: its import is part of a first connection.
  process.stderr.write('what LM Studio costs at start-up, missing and present…\n');
  results.lmstudioStart = await measureLMStudioStart();
  console.table([results.lmstudioStart]);
}
if (runs('speed')) {
  process.stderr.write(`tokens/s, mai vs raw node-llama-cpp, threads ${threads.join(' and ')}…\n`);
  results.tokensPerSecond = await measureTokensPerSecond(threads);
  console.table(results.tokensPerSecond);
}
if (runs('load')) {
  process.stderr.write('load time and resident memory per demo model…\n');
  results.loadAndMemory = await measureLoadAndMemory(threads[0] ?? 1);
  console.table(results.loadAndMemory);
}
if (runs('monitor')) {
  process.stderr.write('resource monitor: CPU time over 60 s at 1 Hz…\n');
  results.monitorCost = await measureMonitorCost(60);
  console.table(results.monitorCost);
}
if (runs('lmstudio')) {
  process.stderr.write('tokens/s through LM Studio (SDK -> emulator -> engine) vs the embedded backend directly…\n');
  results.lmstudioOverhead = await measureLMStudioOverhead(threads[0] ?? 1);
  console.table(results.lmstudioOverhead);
}
if (runs('context')) {
  process.stderr.write('context: refit of a 1,000-message conversation on a switch…\n');
  results.contextRefit = await measureContextRefit(threads[0] ?? 1);
  console.table(results.contextRefit);
  process.stderr.write('context: summary latency per demo model…\n');
  results.summaryLatency = await measureSummaryLatency(threads[0] ?? 1);
  console.table(results.summaryLatency);
}
if (runs('estimate')) {
  process.stderr.write('P9: memory estimate error per demo model, before and after one measured load…\n');
  results.estimateError = await measureEstimateError(threads[0] ?? 1);
  console.table(results.estimateError);
}
if (runs('switching')) {
  // Three tables of its own (P6, P7, selection time), printed as each is measured.
  Object.assign(results, await measureSwitching());
}
await mkdir(resultsDir, {recursive: true});
const file = path.join(resultsDir, `${started.toISOString().slice(0, 10)}.json`);
const earlier = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
await writeFile(file, JSON.stringify({...earlier, date: started.toISOString(), machine: machine(), ...results}, null, 2) + '\n');
process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
