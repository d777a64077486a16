import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {measureContextRefit, measureSummaryLatency} from './context-refit.js';
import {measureLoadAndMemory} from './load-and-memory.js';
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

// `--only context` runs the context manager's benchmarks alone (a minute instead of several).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const started = new Date();
const results: Record<string, unknown> = {date: started.toISOString(), machine: machine()};
if (only === undefined) {
  process.stderr.write(`tokens/s, mai vs raw node-llama-cpp, threads ${threads.join(' and ')}…\n`);
  results.tokensPerSecond = await measureTokensPerSecond(threads);
  console.table(results.tokensPerSecond);
  process.stderr.write('load time and resident memory per demo model…\n');
  results.loadAndMemory = await measureLoadAndMemory(threads[0] ?? 1);
  console.table(results.loadAndMemory);
}
if (only === undefined || only === 'context') {
  process.stderr.write('context: refit of a 1,000-message conversation on a switch…\n');
  results.contextRefit = await measureContextRefit(threads[0] ?? 1);
  console.table(results.contextRefit);
  process.stderr.write('context: summary latency per demo model…\n');
  results.summaryLatency = await measureSummaryLatency(threads[0] ?? 1);
  console.table(results.summaryLatency);
}
await mkdir(resultsDir, {recursive: true});
const file = path.join(resultsDir, `${started.toISOString().slice(0, 10)}${only ? `-${only}` : ''}.json`);
await writeFile(file, JSON.stringify(results, null, 2) + '\n');
process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
