import type {MaiStore, ModelEntry} from '../store.js';
import type {ModelBackend, ModelInfo, Tier} from './backend.js';
import {errorMessage} from './errors.js';
import {estimateModelBytes, fitsInMemory, inferTier} from './estimate.js';
import {compareByCapability} from './select.js';

// The catalogue: every model of every backend, with its tier, memory estimate and whether it fits.

/** What models.yaml says about one model. */
export type ModelSettings = {readonly tier?: Tier; readonly contextLength?: number; readonly minFreeRamBytes?: number};

export type CatalogContext = {
  readonly settingsFor: (key: string) => ModelSettings | undefined;
  /** The context mai asks for when a model has no setting of its own. */
  readonly contextLength: number;
  readonly availableBytes: number;
  readonly headroomBytes: number;
};

export function contextFor(info: ModelInfo, context: Pick<CatalogContext, 'settingsFor' | 'contextLength'>): number {
  const wanted = context.settingsFor(info.key)?.contextLength ?? context.contextLength;
  return info.contextLength ? Math.min(wanted, info.contextLength) : wanted;
}

export function toEntry(info: ModelInfo, context: CatalogContext): ModelEntry {
  const settings = context.settingsFor(info.key);
  const estimate = Math.max(estimateModelBytes(info, contextFor(info, context)), settings?.minFreeRamBytes ?? 0);
  return {
    ...info,
    tier: settings?.tier ?? info.tier ?? inferTier(info),
    estimateBytes: estimate,
    fits: fitsInMemory(estimate, context.availableBytes, context.headroomBytes),
  };
}

/** Entries in the order the panel shows them and Ctrl+N walks them: most capable first. */
export function buildEntries(infos: readonly ModelInfo[], context: CatalogContext): ModelEntry[] {
  return infos.map((info) => toEntry(info, context)).sort(compareByCapability);
}

export type ListedModels = {readonly infos: ModelInfo[]; readonly problems: string[]};

/** Lists every backend; one that fails is reported, not fatal. Keys stay unique across backends. */
export async function listAllModels(backends: readonly ModelBackend[]): Promise<ListedModels> {
  const infos: ModelInfo[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const backend of backends) {
    try {
      if (!(await backend.available())) continue;
      for (const info of await backend.listModels()) {
        const key = seen.has(info.key) ? `${info.key}@${backend.id}` : info.key;
        seen.add(key);
        infos.push(key === info.key ? info : {...info, key, backendKey: info.key});
      }
    } catch (error) {
      problems.push(`${backend.id}: ${errorMessage(error)}`);
    }
  }
  return {infos, problems};
}

export function publishEntries(store: MaiStore, entries: readonly ModelEntry[]): void {
  store.getState().setModelEntries(entries);
}
