import {measurePreloadedSwitch, type PreloadedSwitchRow} from './preloaded-switch.js';
import {measurePressureOnset, type PressureOnsetRow} from './pressure-onset.js';
import {measureSelectionTime, type SelectionTimeRow} from './selection-time.js';

// `--only switching` (issue 10): how fast mai decides and switches by itself. P6: memory pressure
// onset → switch started (pressure-onset.ts); P7: preloaded and cold switches against the raw load
// (preloaded-switch.ts); the cost of a decision (selection-time.ts). Each prints its own table.

export type SwitchingResults = {
  pressureOnset: PressureOnsetRow[];
  preloadedSwitch: PreloadedSwitchRow[];
  selectionTime: SelectionTimeRow[];
};

export async function measureSwitching(): Promise<SwitchingResults> {
  process.stderr.write('selection time: complexity score, selection, pressure decision…\n');
  const selectionTime = await measureSelectionTime();
  console.table(selectionTime);
  process.stderr.write('P7: preloaded and cold switches per demo model vs the raw node-llama-cpp load…\n');
  const preloadedSwitch = await measurePreloadedSwitch();
  console.table(preloadedSwitch);
  process.stderr.write('P6: RAM pressure onset → switch started, less switch_down_after_ms (injected source, then the memory hog)…\n');
  const pressureOnset = await measurePressureOnset();
  console.table(pressureOnset);
  return {pressureOnset, preloadedSwitch, selectionTime};
}
