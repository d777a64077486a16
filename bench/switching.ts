import type {BenchOptions, BenchRow} from './bench-row.js';
import {ms, times} from './figures.js';
import {measurePreloadedSwitch} from './preloaded-switch.js';
import {measurePressureOnset} from './pressure-onset.js';
import {measureSelectionTime} from './selection-time.js';

// How fast mai decides and switches by itself (issue 10), as suite rows. P6: memory pressure onset
// → switch started (pressure-onset.ts); P7: preloaded and cold switches against the raw load
// (preloaded-switch.ts); the cost of a decision (selection-time.ts).

/** P6 goal: a switch started within 2 s of the dwell's end. */
const P6_MAX_MS = 2000;
/** P7 goal: a switch to a preloaded model under 100 ms. */
const P7_PRELOADED_MAX_MS = 100;
/** Selection goal: the complexity score (and the choice) in under 1 ms, no model call. */
const SELECTION_MAX_US = 1000;

export async function benchSelectionTime(_options: BenchOptions): Promise<BenchRow[]> {
  const rows = await measureSelectionTime();
  return rows.map((row) => ({
    id: 'select',
    name: row.decision,
    goal: `mean < ${SELECTION_MAX_US / 1000} ms`,
    figure: `mean ${row.meanUs} µs, p99 ${row.p99Us} µs (${row.outcome})`,
    met: row.meanUs < SELECTION_MAX_US,
    values: row,
  }));
}

/** P7: quick switches each way once instead of three times. */
export async function benchPreloadedSwitch(options: BenchOptions): Promise<BenchRow[]> {
  const rows = await measurePreloadedSwitch(options.quick ? 1 : undefined);
  return rows.flatMap((row): BenchRow[] => [
    {
      id: 'P7',
      name: `preloaded switch, ${row.model}`,
      goal: `< ${P7_PRELOADED_MAX_MS} ms`,
      figure: `${ms(row.preloadedSwitchMs)} (${row.preloadedRatio} of the raw load, ${ms(row.rawLoadMs)})`,
      met: row.preloadedSwitchMs < P7_PRELOADED_MAX_MS,
      values: row,
    },
    {
      id: 'P7',
      name: `cold switch ÷ raw node-llama-cpp load, ${row.model}`,
      goal: '',
      figure: `${times(row.coldRatio)} (${ms(row.coldSwitchMs)} vs ${ms(row.rawLoadMs)})`,
      met: null,
      values: row,
    },
  ]);
}

/** P6: quick runs each driver once instead of three times. */
export async function benchPressureOnset(options: BenchOptions): Promise<BenchRow[]> {
  const rows = await measurePressureOnset(options.quick ? 1 : undefined);
  return rows.map((row) => ({
    id: 'P6',
    name: `pressure onset → switch started, ${row.driver === 'injected' ? 'injected source' : 'real memory hog'}`,
    goal: `< ${ms(P6_MAX_MS)} after the dwell`,
    figure: `median ${ms(row.switchStartedMedianMs)}, max ${ms(row.switchStartedMaxMs)} (switch itself ${ms(row.switchMedianMs)}, to ${row.switchedTo})`,
    met: row.switchStartedMaxMs < P6_MAX_MS,
    values: row,
  }));
}
