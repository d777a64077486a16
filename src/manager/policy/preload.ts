// Loading the likely next model in the background (issue 10 item 6), so that a switch finds it
// ready: a smaller tier when RAM or VRAM pressure is elevated and still rising, a larger tier when
// the conversation's complexity keeps rising. Never a larger model under any pressure, nothing at
// all under critical pressure (the pressure policy is freeing memory then), and the preload is
// cancelled as soon as its prediction lapses.

import type {ComplexityThresholds} from '../../config/types.js';
import {TIERS, type Tier} from '../../domain.js';
import type {PressureLevels} from '../../store.js';
import {tierForScore} from './complexity.js';
import {fitsNow, nearestBelow, pickInTier, realFirst, tierRank, usableEntries, type AvailableMemory, type PolicyEntry} from './fit.js';

export type Trend = 'rising' | 'steady' | 'falling';

export type PreloadInput = {
  /** policy.preload */
  readonly enabled: boolean;
  /** False while a model is pinned or automatic switching is off: no switch to prepare for. */
  readonly canSwitch: boolean;
  readonly levels: PressureLevels;
  /** Memory use over the last samples (usedTrend of ramHistory / the worst GPU's vramHistory). */
  readonly trend: {readonly ram: Trend; readonly vram: Trend};
  /** Complexity scores of the latest turns, oldest first. */
  readonly recentScores: readonly number[];
  readonly thresholds: ComplexityThresholds;
  readonly entries: readonly PolicyEntry[];
  readonly memory: AvailableMemory;
  readonly headroomBytes: number;
  readonly loadedKeys: ReadonlySet<string>;
  readonly currentKey: string | null;
  /** The model being preloaded or held preloaded (loaded, not current), if any. */
  readonly preloadingKey: string | null;
  readonly excluded?: ReadonlySet<string>;
};

export type PreloadDecision =
  | {readonly action: 'none'; readonly reason: string}
  | {readonly action: 'preload' | 'cancel'; readonly key: string; readonly reason: string};

/** Percentage points of memory use over TREND_SAMPLES that count as a trend (1 s samples: a GiB a minute on 32 GiB is 0.05 points a second). */
export const TREND_POINTS = 1;
export const TREND_SAMPLES = 5;

/** Whether memory use (percent, oldest first) rose or fell over the last TREND_SAMPLES samples. */
export function usedTrend(history: readonly number[]): Trend {
  const last = history.at(-1);
  const before = history.at(-TREND_SAMPLES);
  if (last === undefined || before === undefined || history.length < TREND_SAMPLES) return 'steady';
  if (last - before >= TREND_POINTS) return 'rising';
  if (before - last >= TREND_POINTS) return 'falling';
  return 'steady';
}

type Prediction = {readonly key: string; readonly why: string};

export function preloadDecision(input: PreloadInput): PreloadDecision {
  const prediction = input.enabled && input.canSwitch ? predict(input) : null;
  const held = input.preloadingKey;
  if (held && held !== prediction?.key) {
    const why = !input.enabled ? 'preload is off' : !input.canSwitch ? 'no automatic switch to prepare for' : prediction ? `now expecting ${prediction.key}` : 'the switch no longer looks likely';
    return {action: 'cancel', key: held, reason: `cancelling the preload of ${held}: ${why}`};
  }
  if (!prediction) return {action: 'none', reason: 'no switch expected'};
  if (held === prediction.key) return {action: 'none', reason: `${held} is preloaded: ${prediction.why}`};
  if (input.loadedKeys.has(prediction.key)) return {action: 'none', reason: `${prediction.key} is already loaded`};
  return {action: 'preload', key: prediction.key, reason: `${prediction.why}: preloading ${prediction.key}`};
}

function predict(input: PreloadInput): Prediction | null {
  const current = input.entries.find((entry) => entry.key === input.currentKey);
  if (!current) return null;
  const {levels} = input;
  if (levels.ram === 'critical' || levels.vram === 'critical') return null;
  // What is loaded or being preloaded is already paid for.
  const paid = new Set([...input.loadedKeys, ...(input.preloadingKey ? [input.preloadingKey] : [])]);
  const fitting = realFirst(
    usableEntries(input.entries, input.excluded).filter((entry) => entry.key !== current.key && fitsNow(entry, input.memory, input.headroomBytes, paid)),
  );

  const rising = (['ram', 'vram'] as const).find((resource) => levels[resource] === 'elevated' && input.trend[resource] === 'rising');
  if (rising) {
    const smaller = nearestBelow(fitting, current.tier, input.loadedKeys);
    return smaller ? {key: smaller.key, why: `${rising === 'ram' ? 'RAM' : 'VRAM'} pressure elevated and rising`} : null;
  }
  if (levels.cpu !== 'ok' || levels.ram !== 'ok' || levels.vram !== 'ok') return null;

  const tier = projectedTier(input.recentScores, input.thresholds);
  if (!tier || tierRank(tier) <= tierRank(current.tier)) return null;
  for (let rank = tierRank(tier); rank > tierRank(current.tier); rank--) {
    const larger = pickInTier(fitting, TIERS[rank] as Tier, 'most-capable', input.loadedKeys);
    if (larger) return {key: larger.key, why: `complexity rising (${input.recentScores.slice(-3).join(' → ')})`};
  }
  return null;
}

/** The tier the next message is likely to ask for when the last three scores kept rising; null otherwise. */
function projectedTier(scores: readonly number[], thresholds: ComplexityThresholds): Tier | null {
  const [a, b, c] = scores.slice(-3);
  if (a === undefined || b === undefined || c === undefined || !(a < b && b < c)) return null;
  return tierForScore(Math.min(1, c + (c - b)), thresholds);
}
