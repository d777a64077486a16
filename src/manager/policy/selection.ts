// Which model answers the next message (DESIGN.md §5): the user's pin first, then the tier the
// task asks for among the models that fit the memory free now, held back by two rules against
// churn (stay up for a few turns after going up; no costly load for a one-off message). Pure, so
// every rule has a row in test/manager/policy/selection.test.ts.

import type {ComplexityThresholds} from '../../config/types.js';
import {TIERS, type Tier} from '../../domain.js';
import {
  fitsNow,
  gibText,
  pickInTier,
  realFirst,
  secondsText,
  shortfallText,
  tierRank,
  usableEntries,
  type AvailableMemory,
  type PolicyEntry,
} from './fit.js';
import {isRemote, LOCAL, placementRank, whereText} from './hosts.js';

export type TaskSignals = {
  /** The tier the message asks for (tierForScore). */
  readonly wantedTier: Tier;
  readonly score: number;
  /** The tier the previous message asked for; absent on the first. */
  readonly previousWantedTier?: Tier | null;
  /** This message's turn index in the conversation. */
  readonly turn: number;
  /** The turn at which the conversation last moved to a larger tier. */
  readonly wentUpAtTurn?: number | null;
};

export type SelectionRules = {
  readonly stayUpTurns: number;
  readonly switchCostBudgetMs: number;
  readonly thresholds: ComplexityThresholds;
};

export type SelectionInput = {
  readonly entries: readonly PolicyEntry[];
  readonly memory: AvailableMemory;
  readonly headroomBytes: number;
  readonly loadedKeys: ReadonlySet<string>;
  readonly currentKey: string | null;
  /** From `--model` or `mai switch`: used whenever it can run, whatever the task. */
  readonly pinnedKey?: string | null;
  /** Off (Ctrl+A, `--no-auto-switch`): stay on the current model while it can run. */
  readonly autoSwitch: boolean;
  /** Models that failed for this request. */
  readonly excluded?: ReadonlySet<string>;
  readonly task: TaskSignals;
  readonly rules: SelectionRules;
  /** Expected load time by key (measured or estimated, see expectedLoadMs); loaded models cost 0. */
  readonly loadMs?: Readonly<Record<string, number>>;
};

/** The pinned model and why it could not answer: one line on stderr, `fallbacks` in `--json`. */
export type PinnedFailure = {readonly key: string; readonly why: string};

export type SelectionDecision =
  | {readonly action: 'stay' | 'switch'; readonly key: string; readonly reason: string; readonly pinnedFailed?: PinnedFailure}
  /** Nothing can run in the memory free now: nextDegradeStep takes it from here (key: the smallest usable model). */
  | {readonly action: 'degrade'; readonly key: string | null; readonly reason: string; readonly pinnedFailed?: PinnedFailure};

/** How far past a tier's threshold a message must score to be worth a costly load on its own. */
export const CLEAR_MARGIN = 0.15;
/** Without a measurement: reading the file at 1 GiB/s (a warm SSD) plus an engine start. */
const DEFAULT_LOAD_BYTES_PER_MS = 1024 ** 3 / 1000;
const ENGINE_START_MS = 300;

export function expectedLoadMs(entry: PolicyEntry, loadedKeys: ReadonlySet<string>, measuredMs?: number): number {
  if (loadedKeys.has(entry.key)) return 0;
  return measuredMs ?? Math.round(ENGINE_START_MS + entry.sizeBytes / DEFAULT_LOAD_BYTES_PER_MS);
}

export function selectModel(input: SelectionInput): SelectionDecision {
  const {entries, memory, headroomBytes, loadedKeys, currentKey, pinnedKey} = input;
  const usable = usableEntries(entries, input.excluded);
  const runs = (entry: PolicyEntry) => fitsNow(entry, memory, headroomBytes, loadedKeys);
  const current = usable.find((entry) => entry.key === currentKey && runs(entry));
  const decide = (key: string, reason: string) => ({action: key === currentKey ? 'stay' : 'switch', key, reason}) as const;

  let pinnedFailed: PinnedFailure | undefined;
  if (pinnedKey) {
    const pinned = usable.find((entry) => entry.key === pinnedKey);
    if (pinned && runs(pinned)) return decide(pinned.key, 'pinned by you');
    pinnedFailed = {key: pinnedKey, why: pinnedProblem(input, pinned)};
  }
  const withPin = (decision: SelectionDecision): SelectionDecision =>
    pinnedFailed
      ? {...decision, reason: `${pinnedFailed.key} can't be used: ${pinnedFailed.why}; ${decision.reason}`, pinnedFailed}
      : decision;

  if (!input.autoSwitch && current) return withPin(decide(current.key, 'automatic switching is off'));

  const fitting = realFirst(usable.filter(runs));
  if (fitting.length === 0) return withPin(degrade(input, usable));
  const target = targetFor(fitting, input.task.wantedTier, loadedKeys, memory);
  const why = `the message asks for ${input.task.wantedTier}`;
  const named = (entry: PolicyEntry) => `${entry.key}${whereText(entry)}`;
  if (!current || !fitting.includes(current)) return withPin(decide(target.key, `${why}: ${named(target)}${placementWhy(target, memory)}`));
  if (current.tier === target.tier && placementRank(current, memory) <= placementRank(target, memory)) {
    return withPin(decide(current.key, `${why}: ${named(current)} is ${current.tier}`));
  }
  return withPin(holdBack(input, current, target) ?? decide(target.key, `${why}: ${named(target)}${placementWhy(target, memory)}`));
}

/**
 * A simple message takes the smallest tier at or above the one it asks for (the fastest that is
 * enough), and the fastest model in it; a message that asks for the top tier takes the largest
 * tier that fits and its most capable model. When no tier that is enough fits, the largest that does.
 */
function targetFor(fitting: readonly PolicyEntry[], wanted: Tier, loadedKeys: ReadonlySet<string>, memory: AvailableMemory): PolicyEntry {
  const top = TIERS.length - 1;
  if (tierRank(wanted) < top) {
    for (let rank = tierRank(wanted); rank <= top; rank++) {
      const found = pickInTier(fitting, TIERS[rank] as Tier, 'fastest', loadedKeys, memory);
      if (found) return found;
    }
  }
  for (let rank = top; rank >= 0; rank--) {
    const found = pickInTier(fitting, TIERS[rank] as Tier, 'most-capable', loadedKeys, memory);
    if (found) return found;
  }
  throw new Error('targetFor needs at least one fitting model');
}

/** Stay on the current model when going down would flip-flop or a load costs more than the task gains. */
function holdBack(input: SelectionInput, current: PolicyEntry, target: PolicyEntry): SelectionDecision | null {
  const {task, rules} = input;
  const goingUp = tierRank(target.tier) > tierRank(current.tier);
  const sinceUp = task.wentUpAtTurn == null ? Infinity : task.turn - task.wentUpAtTurn;
  if (!goingUp && sinceUp < rules.stayUpTurns) {
    const left = rules.stayUpTurns - sinceUp;
    return {action: 'stay', key: current.key, reason: `staying on ${current.key} for ${left} more turn${left === 1 ? '' : 's'} after going up`};
  }
  const loadMs = expectedLoadMs(target, input.loadedKeys, input.loadMs?.[target.key]);
  if (loadMs <= rules.switchCostBudgetMs) return null;
  const previous = task.previousWantedTier == null ? null : tierRank(task.previousWantedTier);
  const sustained = previous !== null && (goingUp ? previous > tierRank(current.tier) : previous < tierRank(current.tier));
  const threshold = target.tier === 'small' ? 0 : rules.thresholds[target.tier];
  const clear = goingUp && task.score >= threshold + CLEAR_MARGIN;
  if (sustained || clear) return null;
  const budget = secondsText(rules.switchCostBudgetMs);
  return {
    action: 'stay',
    key: current.key,
    reason: `a one-off ${task.wantedTier} message: loading ${target.key} would take ${secondsText(loadMs)} (budget ${budget}); staying on ${current.key}`,
  };
}

/** Why a model on another host was taken: local memory under pressure, or no local model offers the tier. */
function placementWhy(target: PolicyEntry, memory: AvailableMemory): string {
  if (!isRemote(target) || !memory.hosts) return '';
  return memory.hosts[LOCAL]?.underPressure ? ' (local memory is under pressure)' : ` (no local ${target.tier} model fits)`;
}

function pinnedProblem(input: SelectionInput, pinned: PolicyEntry | undefined): string {
  const entry = input.entries.find((e) => e.key === input.pinnedKey);
  if (!entry) return 'not found';
  if (entry.unusable) return entry.unusable;
  if (!pinned) return 'it failed just now';
  return shortfallText(pinned, input.memory, input.headroomBytes);
}

function degrade(input: SelectionInput, usable: readonly PolicyEntry[]): SelectionDecision {
  const smallest = [...usable].sort((a, b) => a.estimateBytes - b.estimateBytes)[0];
  if (!smallest) return {action: 'degrade', key: null, reason: 'no usable model'};
  const free = gibText(input.memory.ramBytes);
  return {action: 'degrade', key: smallest.key, reason: `no model fits in ${free}: the smallest, ${smallest.key}, ${shortfallText(smallest, input.memory, input.headroomBytes)}`};
}
