import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
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

const started = new Date();
process.stderr.write(`tokens/s, mai vs raw node-llama-cpp, threads ${threads.join(' and ')}…\n`);
const speed = await measureTokensPerSecond(threads);
console.table(speed);
process.stderr.write('load time and resident memory per demo model…\n');
const load = await measureLoadAndMemory(threads[0] ?? 1);
console.table(load);
await mkdir(resultsDir, {recursive: true});
const file = path.join(resultsDir, `${started.toISOString().slice(0, 10)}.json`);
await writeFile(file, JSON.stringify({date: started.toISOString(), machine: machine(), tokensPerSecond: speed, loadAndMemory: load}, null, 2) + '\n');
process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
