import {readFile} from 'node:fs/promises';
import type {MachineInfo} from './machine.js';
import type {ResultRow} from './run.js';

// `npm run benchmarks-md -- bench/results/<date>-<host>.json [bench/results/<date>-<host>-drills.json]`:
// prints BENCHMARKS.md's body from one suite run (and one drills run): the machine, the date, Node
// and engine versions, one row per measured P (goal, figure, met or missed and by how much) and
// per R (result), and how to reproduce each. Nothing goes in that a script did not measure; the
// notes under the tables (why a figure is what it is) are written by hand after it.

type SuiteFile = {date: string; quick: boolean; machine: MachineInfo; rows: ResultRow[]};
type DrillsFile = {date: string; node: string; rows: {id: string; scenario: string; result: string; figure?: string}[]};

const REPRODUCE: Readonly<Record<string, string>> = {
  P5: '--only monitor',
  P6: '--only P6',
  P7: '--only P7',
  P8: '--only speed',
  P9: '--only estimate',
  P10: '--only context',
  R7: '--only paste',
  LMS: '--only lmstudio',
  load: '--only load',
  select: '--only selection',
};

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The first number in a goal or a figure, by size ("−6.4 % after" → 6.4, "median 293 ms" → 293). */
function firstNumber(text: string): number {
  const match = /\d+(?:\.\d+)?/.exec(text.replace(/(\d),(\d)/g, '$1$2'));
  return match ? Number(match[0]) : NaN;
}

/** "missed" with the distance from the goal, where both the goal and the figure start with a number. */
function verdict(row: ResultRow): string {
  if (row.met === null) return '–';
  if (row.met) return 'met';
  const figure = firstNumber(row.figure);
  const goal = firstNumber(row.goal);
  if (!Number.isFinite(figure) || !Number.isFinite(goal) || goal === 0) return '**missed**';
  return `**missed** (${figure > goal ? '+' : '−'}${Math.abs(Math.round((figure / goal - 1) * 100))} % from the goal)`;
}

export function benchmarksMarkdown(suite: SuiteFile, drills?: DrillsFile): string {
  const m = suite.machine;
  const lines = [
    `## ${suite.date.slice(0, 10)} — ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node.replace(/^v/, '')}, node-llama-cpp ${m.nodeLlamaCpp}`,
    '',
    `\`npm run bench${suite.quick ? ' -- --quick' : ''}\` (raw results: \`bench/results/${suite.date.slice(0, 10)}-${m.host}.json\`); load average at the end ${m.loadAverage.join(' / ')}.`,
    '',
    '| id | what | goal | figure | met | reproduce |',
    '|---|---|---|---|---|---|',
    ...suite.rows.map((row) => `| ${row.id} | ${cell(row.name)}${row.quick ? ' (quick)' : ''} | ${cell(row.goal) || '–'} | ${cell(row.figure)} | ${verdict(row)} | \`npm run bench -- ${REPRODUCE[row.id] ?? `--only ${row.id}`}\` |`),
  ];
  const missed = [...new Set(suite.rows.filter((row) => row.met === false).map((row) => row.id))];
  lines.push('', missed.length ? `Missed: ${missed.join(', ')}.` : 'Every goal met.');
  if (drills) {
    lines.push('', `### Drills (\`npm run drills\`, ${drills.date.slice(0, 10)}, Node ${drills.node.replace(/^v/, '')})`, '', '| id | scenario | result | figure |', '|---|---|---|---|');
    lines.push(...drills.rows.map((row) => `| ${row.id} | ${cell(row.scenario)} | ${row.result === 'passed' ? 'passed' : `**${row.result}**`} | ${cell(row.figure ?? '–')} |`));
  }
  return lines.join('\n') + '\n';
}

const [suitePath, drillsPath] = process.argv.slice(2);
if (!suitePath) {
  process.stderr.write('usage: npm run benchmarks-md -- bench/results/<date>-<host>.json [bench/results/<date>-<host>-drills.json]\n');
  process.exit(2);
}
const suite = JSON.parse(await readFile(suitePath, 'utf8')) as SuiteFile;
const drills = drillsPath ? (JSON.parse(await readFile(drillsPath, 'utf8')) as DrillsFile) : undefined;
process.stdout.write(benchmarksMarkdown(suite, drills));
