import type {StateCreator} from 'zustand/vanilla';
import type {ModelInfo, Tier} from '../domain.js';
import type {MaiState} from '../store.js';

// The models slice: the catalogue as the user sees it, which model is current, each one's load
// state and the last switch. Its one writer is the ModelManager (and Mai, for the reply speed).

/** A model as the user sees it: what it is, where it comes from, what it costs, whether it fits. */
export type ModelEntry = ModelInfo & {
  readonly tier: Tier;
  readonly estimateBytes: number;
  readonly fits: boolean;
};

export type ModelStatus =
  | {readonly state: 'unloaded'}
  | {readonly state: 'loading'; readonly progress: number}
  | {readonly state: 'loaded'}
  | {readonly state: 'failed'; readonly reason: string};

export type SwitchRecord = {
  readonly from: string | null;
  readonly to: string;
  readonly reason: string;
  readonly at: number;
};

export type ModelsState = {
  readonly entries: readonly ModelEntry[];
  readonly currentKey: string | null;
  readonly status: Readonly<Record<string, ModelStatus>>;
  readonly lastSwitch: SwitchRecord | null;
  readonly lastTokensPerSecond: number | null;
};

export type ModelsSlice = {
  readonly models: ModelsState;
  setModelEntries(entries: readonly ModelEntry[]): void;
  setModelStatus(key: string, status: ModelStatus): void;
  setCurrentModel(key: string | null, switchRecord?: SwitchRecord): void;
  setTokensPerSecond(value: number): void;
};

export const createModelsSlice: StateCreator<MaiState, [], [], ModelsSlice> = (set) => ({
  models: {entries: [], currentKey: null, status: {}, lastSwitch: null, lastTokensPerSecond: null},
  setModelEntries: (entries) => set((s) => ({models: {...s.models, entries}})),
  setModelStatus: (key, status) => set((s) => ({models: {...s.models, status: {...s.models.status, [key]: status}}})),
  setCurrentModel: (key, switchRecord) =>
    set((s) => ({models: {...s.models, currentKey: key, lastSwitch: switchRecord ?? s.models.lastSwitch}})),
  setTokensPerSecond: (value) => set((s) => ({models: {...s.models, lastTokensPerSecond: value}})),
});
