import type {StateCreator} from 'zustand/vanilla';
import type {ModelInfo, Tier} from '../domain.js';
import type {MaiState} from '../store.js';

// The models slice: the catalogue as the user sees it, which model is current, each one's load
// state and the last switch. Its one writer is the ModelManager (and Mai, for the reply speed).

/** A model as the user sees it: what it is, where it comes from, what it costs, whether it fits. */
export type ModelEntry = ModelInfo & {
  readonly tier: Tier;
  /** RAM the model needs, engine process included (the RAM part when layers go to a GPU). */
  readonly estimateBytes: number;
  /** VRAM the model needs when layers are offloaded to a GPU (as node-llama-cpp last resolved them). */
  readonly estimateVramBytes?: number;
  readonly fits: boolean;
  /**
   * On a host that reports no memory (DESIGN.md §9): whether the model fits is the host's to say
   * when asked to load it; `fits` is then true.
   */
  readonly fitUnknown?: boolean;
};

export type ModelStatus =
  | {readonly state: 'unloaded'}
  | {readonly state: 'loading'; readonly progress: number}
  | {readonly state: 'loaded'}
  | {readonly state: 'failed'; readonly reason: string};

/** Why a switch happened: what asked for it. */
export type SwitchKind = 'start' | 'manual' | 'task' | 'pressure' | 'struggle' | 'fallback';

export type SwitchRecord = {
  readonly from: string | null;
  readonly to: string;
  /** One short sentence, as the status bar, the log, `mai status` and `ask --json` show it. */
  readonly reason: string;
  readonly at: number;
  readonly kind?: SwitchKind;
  /** From the decision to the new model being current (its load, when it was not loaded). */
  readonly ms?: number;
};

/** How many switches the store keeps (the panel and `ask --json` read the newest). */
export const SWITCHES_KEPT = 20;

export type ModelsState = {
  readonly entries: readonly ModelEntry[];
  readonly currentKey: string | null;
  readonly status: Readonly<Record<string, ModelStatus>>;
  readonly lastSwitch: SwitchRecord | null;
  /** The newest switches, oldest first, at most SWITCHES_KEPT. */
  readonly switches: readonly SwitchRecord[];
  readonly lastTokensPerSecond: number | null;
  /** Whether mai switches models by itself (Ctrl+A, `--no-auto-switch`). */
  readonly autoSwitch: boolean;
  /** The model the user fixed (`--model`, `mai switch`, the picker): kept until unpinned. */
  readonly pinnedKey: string | null;
};

export type ModelsSlice = {
  readonly models: ModelsState;
  setModelEntries(entries: readonly ModelEntry[]): void;
  setModelStatus(key: string, status: ModelStatus): void;
  setCurrentModel(key: string | null, switchRecord?: SwitchRecord): void;
  setTokensPerSecond(value: number): void;
  setAutoSwitch(on: boolean, pinnedKey: string | null): void;
};

export const createModelsSlice: StateCreator<MaiState, [], [], ModelsSlice> = (set) => ({
  models: {entries: [], currentKey: null, status: {}, lastSwitch: null, switches: [], lastTokensPerSecond: null, autoSwitch: true, pinnedKey: null},
  setModelEntries: (entries) => set((s) => ({models: {...s.models, entries}})),
  setModelStatus: (key, status) => set((s) => ({models: {...s.models, status: {...s.models.status, [key]: status}}})),
  setCurrentModel: (key, switchRecord) =>
    set((s) => ({
      models: {
        ...s.models,
        currentKey: key,
        lastSwitch: switchRecord ?? s.models.lastSwitch,
        switches: switchRecord ? [...s.models.switches, switchRecord].slice(-SWITCHES_KEPT) : s.models.switches,
      },
    })),
  setTokensPerSecond: (value) => set((s) => ({models: {...s.models, lastTokensPerSecond: value}})),
  setAutoSwitch: (autoSwitch, pinnedKey) => set((s) => ({models: {...s.models, autoSwitch, pinnedKey}})),
});
