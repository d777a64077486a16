// What memory pressure asks of the models (DESIGN.md §5, issue 10 item 3): after switch_down_after_ms
// of critical RAM or VRAM, free what costs nothing first (the spare engine, then idle models mai
// loaded), and only then switch down a tier, before the OS starts to swap; after switch_up_after_ms
// of ok pressure everywhere, go back up when the conversation wants it. One action per call: the
// caller carries it out and asks again on the next sample.

import type {PressurePolicy} from '../../config/types.js';
import {TIERS, type Tier} from '../../domain.js';
import type {PressureChange, PressureLevel, PressureLevels, SmoothedResources} from '../../store.js';
import {hostOf, isRemote} from './hosts.js';
import {fitsNow, nearestBelow, pickInTier, realFirst, secondsText, tierRank, usableEntries, type AvailableMemory, type PolicyEntry} from './fit.js';

export type MemoryResource = 'ram' | 'vram';

export type PressureInput = {
  readonly now: number;
  readonly levels: PressureLevels;
  /** HostResources.pressureChanges: oldest first. */
  readonly changes: readonly PressureChange[];
  /** When the levels were first known; "ok since" before any change. */
  readonly monitorStartedAt?: number;
  readonly switchDownAfterMs: number;
  readonly switchUpAfterMs: number;
  /** When the last pressure action was carried out: each step gets switch_down_after_ms to show its effect. */
  readonly lastStepAt?: number | null;
  /** Smoothed free memory already back above the critical threshold (recoveredFrom): the dwell holds the level, mai waits. */
  readonly recovered?: Partial<Record<MemoryResource, boolean>>;
  /** An engine host started ahead of time with no model in it. */
  readonly spareEngine: boolean;
  /** Models mai loaded that are neither current nor answering. */
  readonly idleKeys: readonly string[];
  readonly entries: readonly PolicyEntry[];
  readonly memory: AvailableMemory;
  readonly headroomBytes: number;
  readonly loadedKeys: ReadonlySet<string>;
  readonly currentKey: string | null;
  /** What unloading the current model gives back (0 when the user loaded it: mai never unloads it). */
  readonly freedBySwitchBytes: number;
  readonly wantedTier: Tier;
  /** False while a model is pinned or automatic switching is off: only free things are released. */
  readonly canSwitch: boolean;
  readonly excluded?: ReadonlySet<string>;
};

export type PressureAction =
  | {readonly action: 'none'; readonly reason: string}
  | {readonly action: 'release-spare'; readonly reason: string}
  | {readonly action: 'unload-idle'; readonly keys: readonly string[]; readonly reason: string}
  | {readonly action: 'switch-down' | 'switch-up'; readonly key: string; readonly reason: string};

const NAME: Readonly<Record<MemoryResource, string>> = {ram: 'RAM', vram: 'VRAM'};

/**
 * When `resource` entered critical pressure, replayed from the changes (VRAM is critical while any
 * GPU is); null when it is not critical now. When the entry was dropped from the kept changes, the
 * oldest kept change stands in: later than the truth, so mai waits longer rather than less.
 */
export function criticalSince(levels: PressureLevels, changes: readonly PressureChange[], resource: MemoryResource): number | null {
  if (levels[resource] !== 'critical') return null;
  const perGpu = new Map<number, PressureLevel>();
  let since: number | null = null;
  for (const change of changes) {
    if (change.resource !== resource) continue;
    const was = [...perGpu.values()].includes('critical');
    perGpu.set(change.gpu ?? 0, change.to);
    const is = [...perGpu.values()].includes('critical');
    if (is && !was) since = change.at;
    if (!is) since = null;
  }
  return since ?? changes[0]?.at ?? null;
}

/** Since when CPU, RAM and VRAM have all been ok (the last change made them so); null while one is not. */
export function okSince(levels: PressureLevels, changes: readonly PressureChange[], monitorStartedAt = -Infinity): number | null {
  if (levels.cpu !== 'ok' || levels.ram !== 'ok' || levels.vram !== 'ok') return null;
  return changes.at(-1)?.at ?? monitorStartedAt;
}

/** Which resources' smoothed free memory is back above their critical threshold. */
export function recoveredFrom(smoothed: SmoothedResources | null, pressure: PressurePolicy): Record<MemoryResource, boolean> {
  if (!smoothed) return {ram: false, vram: false};
  const gpus = smoothed.vramFreePct.filter((pct): pct is number => pct !== null);
  return {
    ram: smoothed.ramFreePct > pressure.ramFreePct.critical,
    vram: gpus.length > 0 && gpus.every((pct) => pct > pressure.vramFreePct.critical),
  };
}

export function pressureAction(input: PressureInput): PressureAction {
  const critical = (['ram', 'vram'] as const)
    .map((resource) => ({resource, since: criticalSince(input.levels, input.changes, resource)}))
    .filter((c): c is {resource: MemoryResource; since: number} => c.since !== null)
    .sort((a, b) => a.since - b.since)[0];
  if (critical) return relieve(input, critical.resource, critical.since);
  return switchUp(input);
}

function relieve(input: PressureInput, resource: MemoryResource, since: number): PressureAction {
  const lasted = `${NAME[resource]} critical for ${secondsText(input.now - since)}`;
  const waited = input.now - Math.max(since, input.lastStepAt ?? -Infinity);
  if (waited < input.switchDownAfterMs) return {action: 'none', reason: `${lasted}: waiting ${secondsText(input.switchDownAfterMs - waited)} more`};
  if (input.recovered?.[resource]) return {action: 'none', reason: `${lasted}: memory is back, waiting for the level to ease`};
  if (input.spareEngine) return {action: 'release-spare', reason: `${lasted}: releasing the spare engine`};
  if (input.idleKeys.length > 0) return {action: 'unload-idle', keys: input.idleKeys, reason: `${lasted}: unloading idle ${input.idleKeys.join(', ')}`};

  const usable = usableEntries(input.entries, input.excluded);
  const current = usable.find((entry) => entry.key === input.currentKey);
  if (!current) return {action: 'none', reason: `${lasted}: no model to switch from`};
  // A model on another host holds none of this machine's memory: switching away frees nothing here.
  if (isRemote(current)) return {action: 'none', reason: `${lasted}: ${current.key} runs on ${hostOf(current)}, not in this machine's memory`};
  if (!input.canSwitch) return {action: 'none', reason: `${lasted}: staying on ${current.key} (automatic switching is off or a model is pinned)`};
  if (tierRank(current.tier) === 0) return {action: 'none', reason: `${lasted}: ${current.key} is already the smallest tier`};
  const freed: AvailableMemory = {...input.memory, ramBytes: input.memory.ramBytes + input.freedBySwitchBytes};
  const fitting = realFirst(usable.filter((entry) => entry.key !== current.key && fitsNow(entry, freed, input.headroomBytes, input.loadedKeys)));
  const target = nearestBelow(fitting, current.tier, input.loadedKeys, input.memory);
  if (!target) return {action: 'none', reason: `${lasted}: no smaller model fits`};
  return {action: 'switch-down', key: target.key, reason: `${lasted}: down to ${target.key}`};
}

function switchUp(input: PressureInput): PressureAction {
  const since = okSince(input.levels, input.changes, input.monitorStartedAt);
  if (since === null) return {action: 'none', reason: 'pressure is not ok everywhere: not switching up'};
  const current = input.entries.find((entry) => entry.key === input.currentKey);
  if (!current || tierRank(input.wantedTier) <= tierRank(current.tier)) return {action: 'none', reason: 'no larger tier wanted'};
  if (!input.canSwitch) return {action: 'none', reason: 'automatic switching is off or a model is pinned'};
  const okFor = input.now - since;
  if (okFor < input.switchUpAfterMs) return {action: 'none', reason: `pressure ok for ${secondsText(okFor)}: waiting before switching up`};
  const fitting = realFirst(usableEntries(input.entries, input.excluded).filter((e) => fitsNow(e, input.memory, input.headroomBytes, input.loadedKeys)));
  // The tier asked for if one fits, else the largest between it and the current tier.
  for (let rank = tierRank(input.wantedTier); rank > tierRank(current.tier); rank--) {
    const target = pickInTier(fitting, TIERS[rank] as Tier, 'most-capable', input.loadedKeys, input.memory);
    if (target) {
      const okText = Number.isFinite(okFor) ? `pressure ok for ${secondsText(okFor)}` : 'pressure ok';
      return {action: 'switch-up', key: target.key, reason: `${okText}: up to ${target.key} (the conversation asks for ${input.wantedTier})`};
    }
  }
  return {action: 'none', reason: `no ${input.wantedTier} model fits yet`};
}
