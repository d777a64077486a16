import {mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {EstimateCorrections, estimatesFile} from '../../src/manager/estimate-corrections.js';
import {ENGINE_PROCESS_BYTES} from '../../src/manager/estimate.js';
import {openEventLog, type EventLog} from '../../src/util/log.js';

// The learned corrections outlive a run, in the state dir; a broken file never stops mai.

const MB = 1024 ** 2;
const measured = {contextLength: 2048, gpuLayers: 0, baselineBytes: 90 * MB, residentBytes: 290 * MB, vramBytes: 0};

let home: string;
let stateDir: string;
let logFile: string;
let log: EventLog;

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'mai-estimates-'));
  stateDir = path.join(home, 'state', 'mai');
  logFile = path.join(home, 'events.jsonl');
  log = openEventLog(logFile);
});

afterEach(async () => {
  log.close();
  await rm(home, {recursive: true, force: true});
});

async function loggedEvents(): Promise<{event: string; reason?: string}[]> {
  log.close();
  const text = await readFile(logFile, 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as {event: string; reason?: string});
}

describe('estimate corrections', () => {
  it('start empty: every factor 1 and the built-in engine size, nothing written', async () => {
    const corrections = await EstimateCorrections.open(estimatesFile(stateDir), log);
    expect(corrections.factorFor('anything')).toBe(1);
    expect(corrections.gpuLayersFor('anything')).toBeUndefined();
    expect(corrections.engineProcessBytes()).toBe(ENGINE_PROCESS_BYTES);
    expect(await loggedEvents()).toEqual([]);
  });

  it('are saved privately and read back by the next run', async () => {
    const file = estimatesFile(stateDir);
    const first = await EstimateCorrections.open(file, log);
    expect(await first.record('mai-demo-large', 100 * MB, measured)).toBeCloseTo(2, 10);
    expect(await first.record('mai-demo-small', 10 * MB, {...measured, residentBytes: 105 * MB})).toBeCloseTo(1.5, 10);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    const next = await EstimateCorrections.open(file, log);
    expect(next.snapshot()).toEqual(first.snapshot());
    expect(next.factorFor('mai-demo-large')).toBeCloseTo(2, 10);
    expect(next.factorFor('mai-demo-small')).toBeCloseTo(1.5, 10);
    expect(next.gpuLayersFor('mai-demo-large')).toBe(0);
    expect(next.engineProcessBytes()).toBe(90 * MB);
    expect(next.correctionFor('mai-demo-large')).toEqual({factor: next.factorFor('mai-demo-large'), engineProcessBytes: 90 * MB});
    // Written whole each time, through a temporary file that does not stay behind.
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    expect(await readdir(stateDir)).toEqual(['estimates.json']);
  });

  it.each([
    ['not JSON', '{"version": 1, "models": {'],
    ['another shape', JSON.stringify({version: 1, models: {m: {factor: 'big'}}})],
    ['a later version', JSON.stringify({version: 2, models: {}})],
  ])('ignore a file that is %s, with a warning, and replace it on the next save', async (_what, text) => {
    const file = estimatesFile(stateDir);
    await mkdir(stateDir, {recursive: true});
    await writeFile(file, text);
    const corrections = await EstimateCorrections.open(file, log);
    expect(corrections.factorFor('m')).toBe(1);
    await corrections.record('m', 100 * MB, measured);
    expect((await EstimateCorrections.open(file)).factorFor('m')).toBeCloseTo(2, 10);
    const events = await loggedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({event: 'estimates-file-ignored'});
  });

  it('keep learning in memory when the state dir cannot be written, with a warning', async () => {
    // A file where the state dir should be: mkdir fails.
    await mkdir(path.dirname(stateDir), {recursive: true});
    await writeFile(stateDir, 'in the way');
    const corrections = await EstimateCorrections.open(estimatesFile(stateDir), log);
    expect(await corrections.record('m', 100 * MB, measured)).toBeCloseTo(2, 10);
    expect(corrections.factorFor('m')).toBeCloseTo(2, 10);
    expect((await loggedEvents()).map((event) => event.event)).toEqual(['estimates-file-ignored', 'estimates-file-not-saved']);
  });

  it('ignore an implausible measurement and say so in the log', async () => {
    const corrections = await EstimateCorrections.open(estimatesFile(stateDir), log);
    expect(await corrections.record('m', 100 * MB, {...measured, residentBytes: 80 * MB})).toBeNull();
    expect(corrections.factorFor('m')).toBe(1);
    expect((await loggedEvents()).map((event) => event.event)).toEqual(['estimate-measurement-ignored']);
  });
});
