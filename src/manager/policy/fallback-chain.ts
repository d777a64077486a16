// The next model after one failed or struggled (issue 10 item 5): another model of the same tier
// first (the tier was right, the model was not), then the tiers of fallback_chains in their order.
// Only models that fit the memory free now; never one that failed already.

import type {Config} from '../../config/types.js';
import {TIERS} from '../../domain.js';
import {isRemote, whereText} from './hosts.js';
import {fitsNow, pickInTier, realFirst, usableEntries, type AvailableMemory, type PolicyEntry} from './fit.js';

export type ChainInput = {
  readonly entries: readonly PolicyEntry[];
  readonly from: PolicyEntry;
  readonly chains: Config['fallbackChains'];
  /** Models that failed already for this request (`from` is left out by itself). */
  readonly excluded: ReadonlySet<string>;
  readonly memory: AvailableMemory;
  readonly headroomBytes: number;
  readonly loadedKeys: ReadonlySet<string>;
  /** Why `from` is left ("out of memory", "repeating itself"): starts the reason. */
  readonly why: string;
};

export type ChainStep = {readonly key: string | null; readonly reason: string};

export function nextInChain(input: ChainInput): ChainStep {
  const {from, why} = input;
  const excluded = new Set([...input.excluded, from.key]);
  const candidates = realFirst(
    usableEntries(input.entries, excluded).filter((entry) => fitsNow(entry, input.memory, input.headroomBytes, input.loadedKeys)),
  );
  const tiers = [from.tier, ...(input.chains[from.tier] ?? [])];
  for (const tier of tiers) {
    const next = pickInTier(candidates, tier, 'most-capable', input.loadedKeys, input.memory);
    if (next) {
      const where = tier === from.tier ? `another ${tier} model` : `next in the ${tiers.join(' → ')} chain`;
      return {key: next.key, reason: `${from.key}: ${why}; ${where}: ${next.key}${whereText(next)}`};
    }
  }
  // A model on another host can go away with its host: its chain ends on this machine rather than
  // in no answer, on the most capable local model that fits, whatever its tier.
  if (isRemote(from)) {
    const local = [...TIERS].reverse().map((tier) => pickInTier(candidates.filter((entry) => !isRemote(entry)), tier, 'most-capable', input.loadedKeys)).find(Boolean);
    if (local) return {key: local.key, reason: `${from.key}${whereText(from)}: ${why}; on this machine: ${local.key}`};
  }
  return {key: null, reason: `${from.key}: ${why}; nothing left in the ${tiers.join(' → ')} chain fits`};
}
