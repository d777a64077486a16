import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {BenchRow} from './bench-row.js';
import {machineInfo} from './machine.js';
import {defaultBenchThreads, selectEntries, SUITE} from './suite.js';
import {metMark, textTable} from './table.js';

// `npm run bench [-- --quick] [--only P6,speed] [--threads 1,2]`: runs the suite (suite.ts), prints
// one table and writes bench/results/<date>-<host>.json. Figures are ratios within one run where a
// baseline exists (mai against the raw engine), so a noisy machine skews both sides alike.

export type ResultRow = BenchRow & {readonly entry: string; readonly quick: boolean; readonly seconds: number};

const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const argument = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);

const quick = process.argv.includes('--quick');
const threads = argument('--threads')?.split(',').map(Number) ?? defaultBenchThreads();
const entries = selectEntries(SUITE, argument('--only'));
if (entries.length === 0) {
  process.stderr.write(`mai bench: --only ${argument('--only')} names no benchmark (ids: ${[...new Set(SUITE.map((entry) => entry.id))].join(', ')})\n`);
  process.exit(2);
}

const started = new Date();
const rows: ResultRow[] = [];
for (const entry of entries) {
  const reduced = quick && entry.quick;
  process.stderr.write(`${entry.id}: ${entry.name}${reduced ? ' (quick)' : ''}…\n`);
  const from = performance.now();
  const done = (row: BenchRow): ResultRow => ({...row, entry: entry.name, quick: reduced, seconds: Math.round((performance.now() - from) / 100) / 10});
  try {
    rows.push(...(await entry.run({quick, threads})).map(done));
  } catch (error) {
    // One failed benchmark is a row of the table, not the end of the suite.
    rows.push(done({id: entry.id, name: entry.name, goal: '', figure: `failed: ${(error as Error).message.split('\n')[0]}`, met: false}));
  }
}

process.stdout.write(
  `\n${textTable(
    ['id', 'name', 'goal', 'figure', 'met', 'run'],
    rows.map((row) => [row.id, row.name, row.goal, row.figure, metMark(row.met), row.quick ? 'quick' : 'full']),
  )}\n`,
);
const missed = rows.filter((row) => row.met === false);
process.stdout.write(`\n${rows.length} rows, ${missed.length} missed${missed.length ? `: ${[...new Set(missed.map((row) => row.id))].join(', ')}` : ''}; ${Math.round((Date.now() - started.getTime()) / 1000)} s\n`);

const machine = machineInfo();
await mkdir(resultsDir, {recursive: true});
const file = path.join(resultsDir, `${started.toISOString().slice(0, 10)}-${machine.host.replace(/[^\w.-]/g, '_')}.json`);
// A day's file keeps the rows of benchmarks not run this time (`--only`), so runs add up.
const earlier = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as {rows?: ResultRow[]};
const ran = new Set(entries.map((entry) => entry.name));
const kept = (earlier.rows ?? []).filter((row) => !ran.has(row.entry));
await writeFile(file, JSON.stringify({date: started.toISOString(), quick, machine, rows: [...kept, ...rows]}, null, 2) + '\n');
process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
