import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Reporter, TestModule} from 'vitest/node';
import {DRILLS, FIGURE} from './drill-list.js';

// `npm run drills` ends with one table: every drill of issue 13 (R1–R10), the scenario each test
// checks, and its result. A drill is a test whose name, or a describe's around it, starts with its
// id ("R6: …"); an id without one in this run says "not run", or "no drill yet" where none exists.
// A drill that measures something (R7's key after a paste) says the figure with
// `annotate(text, FIGURE)`: the table shows it beside the result.
// The rows also go to bench/results/<date>-<host>-drills.json, for BENCHMARKS.md (bench/benchmarks-md.ts).

export type DrillRow = {id: string; scenario: string; result: string; figure?: string};
type Row = DrillRow;

const RESULT: Readonly<Record<string, string>> = {passed: 'passed', failed: 'FAILED', skipped: 'skipped', pending: 'not run'};

export default class DrillReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: Row[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        // The id starts the test's own name or one of its describes': "mai interrupted > R2: falls back…".
        const match = /(?:^| > )(R\d+): (.*)$/.exec(test.fullName);
        if (!match) continue;
        const [, id = '', rest = ''] = match;
        const scenario = rest.replace(/ > /g, ': ');
        const figures = test.annotations().filter((annotation) => annotation.type === FIGURE).map((annotation) => annotation.message);
        rows.push({id, scenario, result: RESULT[test.result().state] ?? test.result().state, ...(figures.length ? {figure: figures.join('; ')} : {})});
      }
    }
    for (const drill of DRILLS) {
      if (!rows.some((row) => row.id === drill.id)) rows.push({id: drill.id, scenario: drill.scenario, result: drill.drill === false ? 'no drill yet' : 'not run'});
    }
    rows.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
    const width = (pick: (row: Row) => string, title: string) => Math.max(title.length, ...rows.map((row) => pick(row).length));
    const idWidth = width((row) => row.id, 'id');
    const scenarioWidth = Math.min(110, width((row) => row.scenario, 'scenario'));
    const cut = (text: string) => (text.length > scenarioWidth ? `${text.slice(0, scenarioWidth - 1)}…` : text);
    const resultWidth = width((row) => row.result, 'result');
    const line = (row: Row) => `${row.id.padEnd(idWidth)}  ${cut(row.scenario).padEnd(scenarioWidth)}  ${row.result.padEnd(resultWidth)}  ${row.figure ?? ''}`.trimEnd();
    const rule = `${'-'.repeat(idWidth)}  ${'-'.repeat(scenarioWidth)}  ${'-'.repeat(resultWidth)}  ------`;
    const table = [line({id: 'id', scenario: 'scenario', result: 'result', figure: 'figure'}), rule, ...rows.map(line)];
    process.stdout.write(`\n${table.join('\n')}\n`);
    const dir = path.resolve('bench', 'results');
    mkdirSync(dir, {recursive: true});
    const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}-${os.hostname().replace(/[^\w.-]/g, '_')}-drills.json`);
    writeFileSync(file, JSON.stringify({date: new Date().toISOString(), node: process.version, rows}, null, 2) + '\n');
    process.stdout.write(`written to ${path.relative(process.cwd(), file)}\n`);
  }
}
