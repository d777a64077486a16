import type {ModelEntry} from '../store.js';
import {TIERS, type Tier} from '../domain.js';
import {gib} from './estimate.js';
import {compareText} from '../util/locale-free.js';

// Which model to use now: pure, so that every rule has a table test.

export type Selection = {readonly key: string; readonly reason: string};

export type SelectionInput = {
  readonly entries: readonly ModelEntry[];
  /** The user's choice (`--model`, `mai switch`): taken whenever it can run. */
  readonly preferredKey?: string | null;
  /** Models that just failed and must not be chosen again for this request. */
  readonly exclude?: ReadonlySet<string>;
  readonly availableBytes: number;
};

const tierRank = (tier: Tier) => TIERS.indexOf(tier);

/** Larger tier first; real models before demo models; within a tier the larger model. */
export function compareByCapability(a: ModelEntry, b: ModelEntry): number {
  if (a.demo !== b.demo) return a.demo ? 1 : -1;
  return tierRank(b.tier) - tierRank(a.tier) || b.sizeBytes - a.sizeBytes || compareText(a.key, b.key);
}

export function selectBestModel({entries, preferredKey, exclude, availableBytes}: SelectionInput): Selection | null {
  const usable = entries.filter((entry) => !entry.unusable && !exclude?.has(entry.key));
  const available = `${gib(availableBytes).toFixed(1)} GiB available`;
  const preferred = usable.find((entry) => entry.key === preferredKey);
  if (preferred?.fits) return {key: preferred.key, reason: 'your choice'};
  const fitting = usable.filter((entry) => entry.fits).sort(compareByCapability);
  const best = fitting[0];
  if (best) {
    const why = preferred ? `${preferred.key} needs more memory than the ${available}` : `largest tier that fits in ${available}`;
    return {key: best.key, reason: why};
  }
  // Nothing fits: degrade to the smallest model rather than refuse to answer at all.
  const smallest = [...usable].sort((a, b) => a.estimateBytes - b.estimateBytes)[0];
  return smallest ? {key: smallest.key, reason: `no model fits in ${available}; using the smallest`} : null;
}

/** The next (+1) or previous (-1) usable model after `currentKey`, in the panel's order. */
export function cycleModel(entries: readonly ModelEntry[], currentKey: string | null, direction: 1 | -1): string | null {
  const usable = entries.filter((entry) => !entry.unusable);
  if (usable.length === 0) return null;
  const index = usable.findIndex((entry) => entry.key === currentKey);
  const next = index === -1 ? 0 : (index + direction + usable.length) % usable.length;
  return usable[next]?.key ?? null;
}
