import type {ModelEntry} from '../store.js';
import type {BackendKind, ModelInfo, Tier} from '../domain.js';
import type {ModelBackend} from '../backends/backend.js';
import {mergeListings, type BackendListing} from './catalog-merge.js';
import {errorMessage} from '../backends/model-error.js';
import {fitsInMemory, inferTier, splitEstimate} from './estimate.js';
import {compareByCapability} from './select.js';
import {hostOf, isRemote, runsRemotely, type HostPool} from './policy/hosts.js';

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
  /** Measured ÷ estimated from the model's earlier loads (EstimateCorrections.factorFor); 1 without. */
  readonly correctionFor?: (key: string) => number;
  /** An empty engine process as measured on this machine (EstimateCorrections.engineProcessBytes()). */
  readonly engineProcessBytes?: number;
  /** GPU layers of the model's last load (EstimateCorrections.gpuLayersFor): its estimate is split. */
  readonly gpuLayersFor?: (key: string) => number | undefined;
  /** Free GPU memory now: a model with offloaded layers fits only if its VRAM part fits too. */
  readonly availableVramBytes?: number;
  /** The other hosts: a model on one of them fits by its host's measure, not this machine's. */
  readonly hosts?: HostPool;
};

export function contextFor(info: ModelInfo, context: Pick<CatalogContext, 'settingsFor' | 'contextLength'>): number {
  const wanted = settingsOf(info, context.settingsFor)?.contextLength ?? context.contextLength;
  return info.contextLength ? Math.min(wanted, info.contextLength) : wanted;
}

export function toEntry(info: ModelInfo, context: CatalogContext): ModelEntry {
  const settings = settingsOf(info, context.settingsFor);
  const correction = {
    factor: context.correctionFor?.(info.key) ?? 1,
    ...(context.engineProcessBytes === undefined ? {} : {engineProcessBytes: context.engineProcessBytes}),
  };
  const split = splitEstimate(info, contextFor(info, context), context.gpuLayersFor?.(info.key) ?? 0, correction);
  // estimateBytes stays what the model takes of system RAM, which is what every fit compares.
  const estimate = Math.max(split.ramBytes, settings?.minFreeRamBytes ?? 0);
  const vramFits = split.vramBytes === 0 || context.availableVramBytes === undefined || split.vramBytes <= context.availableVramBytes;
  const tier = settings?.tier ?? info.tier ?? inferTier(info);
  if (isRemote(info)) {
    const base = {...info, tier, estimateBytes: estimate};
    const reported = context.hosts?.[hostOf(info)]?.memory;
    return {...base, fits: runsRemotely(base as ModelEntry, context.hosts, context.headroomBytes, info.loadedBy !== undefined), ...(reported ? {} : {fitUnknown: true})};
  }
  return {
    ...info,
    tier,
    estimateBytes: estimate,
    ...(split.vramBytes > 0 ? {estimateVramBytes: split.vramBytes} : {}),
    // A model LM Studio already holds costs nothing more to use.
    fits: info.loadedBy !== undefined || (fitsInMemory(estimate, context.availableBytes, context.headroomBytes) && vramFits),
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
