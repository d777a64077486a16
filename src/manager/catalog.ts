import type {ModelEntry} from '../store.js';
import type {BackendKind, ModelInfo, Tier} from '../domain.js';
import type {ModelBackend} from '../backends/backend.js';
import {mergeListings, type BackendListing} from './catalog-merge.js';
import {errorMessage} from '../backends/model-error.js';
import {estimateModelBytes, fitsInMemory, inferTier} from './estimate.js';
import {compareByCapability} from './select.js';

// The catalogue: every model of every backend, with its tier, memory estimate and whether it fits.

/** What models.yaml says about one model. */
export type ModelSettings = {
  readonly tier?: Tier;
  readonly contextLength?: number;
  readonly minFreeRamBytes?: number;
  /** The backend the user pinned it to. */
  readonly backend?: BackendKind;
};

/** A model's settings, found by its key or by the key of any of its sources (LM Studio's key). */
export function settingsOf(info: ModelInfo, settingsFor: CatalogContext['settingsFor']): ModelSettings | undefined {
  const keys = [info.key, ...(info.sources ?? []).map((source) => source.key)];
  for (const key of new Set(keys)) {
    const settings = settingsFor(key);
    if (settings) return settings;
  }
  return undefined;
}

export type CatalogContext = {
  readonly settingsFor: (key: string) => ModelSettings | undefined;
  /** The context mai asks for when a model has no setting of its own. */
  readonly contextLength: number;
  readonly availableBytes: number;
  readonly headroomBytes: number;
};

export function contextFor(info: ModelInfo, context: Pick<CatalogContext, 'settingsFor' | 'contextLength'>): number {
  const wanted = settingsOf(info, context.settingsFor)?.contextLength ?? context.contextLength;
  return info.contextLength ? Math.min(wanted, info.contextLength) : wanted;
}

export function toEntry(info: ModelInfo, context: CatalogContext): ModelEntry {
  const settings = settingsOf(info, context.settingsFor);
  const estimate = Math.max(estimateModelBytes(info, contextFor(info, context)), settings?.minFreeRamBytes ?? 0);
  return {
    ...info,
    tier: settings?.tier ?? info.tier ?? inferTier(info),
    estimateBytes: estimate,
    // A model LM Studio already holds costs nothing more to use.
    fits: info.loadedBy !== undefined || fitsInMemory(estimate, context.availableBytes, context.headroomBytes),
  };
}

/** Entries in the order the panel shows them and Ctrl+N walks them: most capable first. */
export function buildEntries(infos: readonly ModelInfo[], context: CatalogContext): ModelEntry[] {
  return infos.map((info) => toEntry(info, context)).sort(compareByCapability);
}

export type ListedModels = {readonly infos: ModelInfo[]; readonly problems: string[]};

/**
 * Lists every backend at once (one that is not there or fails is reported, not fatal) and merges
 * the lists: one entry per model, with every backend that can run it (catalog-merge.ts).
 */
export async function listAllModels(
  backends: readonly ModelBackend[],
  settingsFor: CatalogContext['settingsFor'] = () => undefined,
): Promise<ListedModels> {
  const problems: string[] = [];
  const listings = await Promise.all(
    backends.map(async (backend): Promise<BackendListing | null> => {
      try {
        if (!(await backend.available())) return null;
        return {backendId: backend.id, kind: backend.kind, infos: await backend.listModels()};
      } catch (error) {
        problems.push(`${backend.id}: ${errorMessage(error)}`);
        return null;
      }
    }),
  );
  const pinFor = (keys: readonly string[]) => keys.map((key) => settingsFor(key)?.backend).find((backend) => backend !== undefined);
  return {infos: mergeListings(listings.filter((listing) => listing !== null), pinFor), problems};
}
