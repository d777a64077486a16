// What every policy rule asks of the catalogue: does this model fit in the memory free *now*, and
// which model of a tier is the one to take. The catalogue's `fits` is decided when it is built and
// goes stale as memory moves, so the policy never trusts it and re-checks against the figures it
// is given.

import {TIERS, type Tier} from '../../domain.js';
import type {ModelEntry} from '../../store.js';
import {comparePlacement, isRemote, runsRemotely, type HostPool} from './hosts.js';
import {compareText} from '../../util/locale-free.js';

const GiB = 1024 ** 3;

/**
 * Memory that can be allocated now on this machine; `vramBytes` only with a GPU of its own memory.
 * `hosts`: the other machines (and `local`'s pressure), when mai has any: a remote model's fit is
 * decided by its host (hosts.ts), never by this machine's memory.
 */
export type AvailableMemory = {readonly ramBytes: number; readonly vramBytes?: number; readonly hosts?: HostPool};

/**
 * A catalogue entry: `estimateBytes` is what it takes of RAM, `estimateVramBytes` what it takes of
 * the GPU's memory on top, when its layers are offloaded (catalog.ts).
 */
export type PolicyEntry = ModelEntry;

export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

export function gibText(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** RAM and VRAM a model needs; without VRAM figures (no GPU reading) the whole counts against RAM. */
export function memoryNeed(entry: PolicyEntry, memory: AvailableMemory): {readonly ram: number; readonly vram: number} {
  const vram = entry.estimateVramBytes ?? 0;
  return memory.vramBytes === undefined ? {ram: entry.estimateBytes + vram, vram: 0} : {ram: entry.estimateBytes, vram};
}

/** A loaded model always fits (it is already paid for); any other one needs its estimate plus headroom free. */
export function fitsNow(entry: PolicyEntry, memory: AvailableMemory, headroomBytes: number, loadedKeys: ReadonlySet<string>): boolean {
  if (isRemote(entry)) return runsRemotely(entry, memory.hosts, headroomBytes, loadedKeys.has(entry.key));
  if (loadedKeys.has(entry.key)) return true;
  const need = memoryNeed(entry, memory);
  const vramOk = need.vram === 0 || need.vram + headroomBytes <= (memory.vramBytes ?? 0);
  return need.ram + headroomBytes <= memory.ramBytes && vramOk;
}

/** "needs 5.2 GiB, 3.1 GiB free" (RAM, or VRAM when that is what is short). */
export function shortfallText(entry: PolicyEntry, memory: AvailableMemory, headroomBytes: number): string {
  const need = memoryNeed(entry, memory);
  if (need.vram > 0 && need.vram + headroomBytes > (memory.vramBytes ?? 0)) {
    return `needs ${gibText(need.vram)} of VRAM, ${gibText(memory.vramBytes ?? 0)} free`;
  }
  return `needs ${gibText(need.ram)}, ${gibText(memory.ramBytes)} free`;
}

/** Models that may be chosen at all: not marked unusable, not excluded after a failure. */
export function usableEntries<E extends PolicyEntry>(entries: readonly E[], excluded?: ReadonlySet<string>): E[] {
  return entries.filter((entry) => !entry.unusable && !excluded?.has(entry.key));
}

/** Real models before demo models: the demo models answer with a fixed message, so any real one wins. */
export function realFirst<E extends PolicyEntry>(entries: readonly E[]): E[] {
  const real = entries.filter((entry) => !entry.demo);
  return real.length > 0 ? real : [...entries];
}

/**
 * The model of `tier` to take among `candidates`: where it runs first (a local model, unless local
 * memory is under pressure; hosts.ts), then a loaded one (no load to wait for), then the larger
 * ('most-capable') or the smaller ('fastest') one; the key breaks ties so the choice is stable.
 */
export function pickInTier<E extends PolicyEntry>(
  candidates: readonly E[],
  tier: Tier,
  prefer: 'most-capable' | 'fastest',
  loadedKeys: ReadonlySet<string>,
  memory?: AvailableMemory,
): E | undefined {
  const sign = prefer === 'most-capable' ? -1 : 1;
  return candidates
    .filter((entry) => entry.tier === tier)
    .sort(
      (a, b) =>
        comparePlacement(a, b, memory) ||
        Number(loadedKeys.has(b.key)) - Number(loadedKeys.has(a.key)) ||
        sign * (a.estimateBytes - b.estimateBytes) ||
        compareText(a.key, b.key),
    )[0];
}

/** The best model in the nearest tier below `tier` that has one among `candidates`. */
export function nearestBelow<E extends PolicyEntry>(
  candidates: readonly E[],
  tier: Tier,
  loadedKeys: ReadonlySet<string>,
  memory?: AvailableMemory,
): E | undefined {
  for (let rank = tierRank(tier) - 1; rank >= 0; rank--) {
    const found = pickInTier(candidates, TIERS[rank] as Tier, 'most-capable', loadedKeys, memory);
    if (found) return found;
  }
  return undefined;
}
