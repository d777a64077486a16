// Hosts as pools (DESIGN.md §9): a model runs on the machine mai runs on (`local`) or on another
// host, each with its own health, speed and memory. What the policy knows of them travels in its
// memory input (AvailableMemory.hosts), so every rule that asks "does it fit now" asks it of the
// right machine, and the ModelManager needs no change to pass it on.

import type {ConnectionState, HostName, Tier} from '../../domain.js';
import type {AvailableMemory, PolicyEntry} from './fit.js';

export const LOCAL: HostName = 'local';

/** up: answering; reconnecting: lost, being looked for again; down: not reachable (or never was). */
export type HostHealth = 'up' | 'reconnecting' | 'down';

export type HostView = {
  readonly health: HostHealth;
  /**
   * Memory the host reports. Absent or null: it reports none (an OpenAI-compatible server; LM
   * Studio through SDK 1.5.0 has no hardware call), so a model's fit there is unknown and only the
   * host's own answer to a load decides.
   */
  readonly memory?: AvailableMemory | null;
  /** Higher is tried first among remote hosts. */
  readonly priority?: number;
  /** The last measured round trip. */
  readonly latencyMs?: number | null;
  /** The largest tier mai asks of this host (the config's limits.max_tier). */
  readonly maxTier?: Tier;
  /** For `local`: RAM or VRAM pressure is elevated or critical, so remote models go first. */
  readonly underPressure?: boolean;
};

export type HostPool = Readonly<Record<HostName, HostView>>;

/** A host's health from its connection: not yet checked counts as not up (nothing is sent to it blind). */
export function healthOf(state: ConnectionState | undefined): HostHealth {
  if (state === 'connected') return 'up';
  if (state === 'reconnecting' || state === 'checking') return 'reconnecting';
  return 'down';
}

const TIER_ORDER: readonly Tier[] = ['small', 'medium', 'large'];

export function hostOf(entry: Pick<PolicyEntry, 'host'>): HostName {
  return entry.host ?? LOCAL;
}

export function isRemote(entry: Pick<PolicyEntry, 'host'>): boolean {
  return hostOf(entry) !== LOCAL;
}

/**
 * Whether a model on another host can be asked now: its host is up, the model is within the host's
 * limits and, where the host reports memory, it fits there. Without a view of the host (no host
 * information given) the host's own answer decides.
 */
export function runsRemotely(entry: PolicyEntry, hosts: HostPool | undefined, headroomBytes: number, loaded: boolean): boolean {
  const view = hosts?.[hostOf(entry)];
  if (!view) return true;
  if (view.health !== 'up') return false;
  if (view.maxTier && TIER_ORDER.indexOf(entry.tier) > TIER_ORDER.indexOf(view.maxTier)) return false;
  if (loaded || !view.memory) return true;
  return entry.estimateBytes + headroomBytes <= view.memory.ramBytes;
}

/**
 * Where a model stands in line, lower first: a local model while local memory is not under pressure
 * (privacy, no network), then remote hosts, then local models under pressure. Entries without
 * host information all rank the same, so local-only choices are unchanged.
 */
export function placementRank(entry: PolicyEntry, memory: AvailableMemory | undefined): number {
  const hosts = memory?.hosts;
  if (!hosts) return 0;
  if (!isRemote(entry)) return hosts[LOCAL]?.underPressure ? 2 : 0;
  return 1;
}

/** placementRank, then among remote hosts the higher priority, then the lower latency. */
export function comparePlacement(a: PolicyEntry, b: PolicyEntry, memory: AvailableMemory | undefined): number {
  const byRank = placementRank(a, memory) - placementRank(b, memory);
  if (byRank !== 0 || !memory?.hosts || !isRemote(a) || !isRemote(b)) return byRank;
  const va = memory.hosts[hostOf(a)];
  const vb = memory.hosts[hostOf(b)];
  return (vb?.priority ?? 0) - (va?.priority ?? 0) || (va?.latencyMs ?? Infinity) - (vb?.latencyMs ?? Infinity) || 0;
}

/** "on gpu-box" for a remote model, "" for a local one (reasons name where a model runs). */
export function whereText(entry: Pick<PolicyEntry, 'host'>): string {
  return isRemote(entry) ? ` on ${hostOf(entry)}` : '';
}
