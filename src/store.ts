import {createStore, type StoreApi} from 'zustand/vanilla';
import type {BackendKind, ConnectionState, ModelInfo, ResponseStats, Role, Tier} from './domain.js';
import type {PressureLevel} from './monitor/pressure.js';

// The one store (DESIGN.md §2). Subsystems write through the actions below; components read single
// values with narrow selectors. Arrays and objects are replaced, never mutated, so a selector that
// returns one of them re-renders only when that value changed.

export type HostId = string;
export const LOCAL_HOST: HostId = 'local';

export type CpuSample = {readonly totalPct: number; readonly perCorePct: readonly number[]};
export type MemorySample = {
  readonly totalBytes: number;
  /** What can be allocated without swapping (MemAvailable), not "free". */
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly swapTotalBytes: number;
  readonly swapUsedBytes: number;
};

export type GpuSample = {
  readonly index: number;
  /** As the driver names it, sanitized (it reaches the terminal). */
  readonly name: string;
  /** null when the GPU does not report it. */
  readonly vramUsedBytes: number | null;
  readonly vramTotalBytes: number | null;
  readonly utilizationPct: number | null;
  /** Unified or integrated memory (Apple Silicon): the GPU's memory is the machine's RAM. */
  readonly sharedMemory: boolean;
};

export type {PressureLevel};

/** A level per resource; `vram` is the worst GPU's, and `gpus` follows the order of `HostResources.gpus`. */
export type PressureLevels = {
  readonly cpu: PressureLevel;
  readonly ram: PressureLevel;
  readonly vram: PressureLevel;
  readonly gpus: readonly PressureLevel[];
};

export type PressureResource = 'cpu' | 'ram' | 'vram';

/** A pressure level change: an event in the store (and in the event log). */
export type PressureChange = {
  readonly resource: PressureResource;
  /** The GPU's index, for VRAM. */
  readonly gpu?: number;
  readonly from: PressureLevel;
  readonly to: PressureLevel;
  /** The smoothed value the decision was taken on: CPU % used, or RAM / VRAM % free. */
  readonly value: number;
  readonly at: number;
};

/** The values the pressure levels are decided on (EWMA, see monitor/pressure.ts). */
export type SmoothedResources = {
  readonly cpuPct: number;
  readonly ramFreePct: number;
  /** Per entry of `gpus`; null for a GPU without its own memory figures. */
  readonly vramFreePct: readonly (number | null)[];
};

export type HostResources = {
  readonly cpu: CpuSample | null;
  readonly memory: MemorySample | null;
  /** null until the GPUs are known; [] when the host has none ("no GPU"). */
  readonly gpus: readonly GpuSample[] | null;
  /** Percent (0-100), oldest first, at most HISTORY_LENGTH samples, for sparklines. */
  readonly cpuHistory: readonly number[];
  /** Percent of RAM in use (total - available), like cpuHistory. */
  readonly ramHistory: readonly number[];
  /** Percent of VRAM in use, per entry of `gpus`, like cpuHistory. */
  readonly vramHistory: readonly (readonly number[])[];
  readonly smoothed: SmoothedResources | null;
  /** The same object until a level changes, so a selector on it re-renders only on a change. */
  readonly pressure: PressureLevels;
  /** The latest level changes, oldest first, at most PRESSURE_CHANGES_KEPT. */
  readonly pressureChanges: readonly PressureChange[];
  /** RSS of mai's own process and of each engine host, by model key. */
  readonly maiRssBytes: number;
  readonly modelRssBytes: Readonly<Record<string, number>>;
  readonly sampledAt: number;
};

export const HISTORY_LENGTH = 120;
export const PRESSURE_CHANGES_KEPT = 50;

export const NO_PRESSURE: PressureLevels = {cpu: 'ok', ram: 'ok', vram: 'ok', gpus: []};

export type {ModelSource} from './domain.js';

/** A model as the user sees it: what it is, where it comes from, what it costs, whether it fits. */
export type ModelEntry = ModelInfo & {
  readonly tier: Tier;
  readonly estimateBytes: number;
  /** GPU memory on top of estimateBytes, when the model's layers are offloaded (estimate.ts). */
  readonly estimateVramBytes?: number;
  readonly fits: boolean;
};

/** A backend that runs elsewhere (LM Studio): whether mai can reach it, for the models panel. */
export type BackendStatus = {
  readonly id: string;
  readonly kind: BackendKind;
  readonly state: ConnectionState;
  readonly url: string;
  readonly version: string | null;
  readonly detail: string | null;
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

export type ChatEntry = {
  readonly id: string;
  readonly role: Role;
  readonly text: string;
  readonly at: number;
  /** The model that wrote an assistant message. */
  readonly model?: string;
  /** Cut off by Esc, Ctrl+C, a crash or a failure; the text so far is kept. */
  readonly interrupted?: boolean;
  readonly stats?: ResponseStats;
};

/** How the conversation was fitted into the current model's context: the status bar says it. */
export type ContextReport = {
  readonly model: string;
  readonly contextLength: number;
  /** Tokens of the last prompt built (exact when the backend can count a whole prompt). */
  readonly promptTokens: number;
  readonly messages: number;
  /** Messages sent in full, summarized, and left out. */
  readonly kept: number;
  readonly summarized: number;
  readonly dropped: number;
  /** The last message alone was longer than the window and was cut, with a marker. */
  readonly truncated: boolean;
  /** A summary of older turns is being written in the background. */
  readonly summarizing: boolean;
};

export type StreamingReply = {readonly id: string; readonly model: string; readonly text: string};

export type NoticeLevel = 'info' | 'warn' | 'error';
export type Notice = {readonly text: string; readonly level: NoticeLevel; readonly at: number};

export type State = {
  readonly resources: Readonly<Record<HostId, HostResources>>;
  readonly models: {
    readonly entries: readonly ModelEntry[];
    readonly currentKey: string | null;
    readonly status: Readonly<Record<string, ModelStatus>>;
    readonly lastSwitch: SwitchRecord | null;
    readonly lastTokensPerSecond: number | null;
  };
  readonly backends: Readonly<Record<string, BackendStatus>>;
  readonly chat: {
    readonly messages: readonly ChatEntry[];
    readonly streaming: StreamingReply | null;
    readonly busy: boolean;
    readonly context: ContextReport | null;
  };
  readonly ui: {
    readonly notice: Notice | null;
    readonly helpOpen: boolean;
    /** Lines scrolled up from the bottom of the chat; 0 follows new output. */
    readonly scrollOffset: number;
  };
};

export type Actions = {
  setHostResources(host: HostId, resources: HostResources): void;
  setModelEntries(entries: readonly ModelEntry[]): void;
  setModelStatus(key: string, status: ModelStatus): void;
  setCurrentModel(key: string | null, switchRecord?: SwitchRecord): void;
  setTokensPerSecond(value: number): void;
  setBackendStatus(status: BackendStatus): void;
  addMessage(entry: ChatEntry): void;
  startStreaming(reply: StreamingReply): void;
  setStreamingText(text: string): void;
  /** Moves the streaming reply into the messages, as it ended. */
  finishStreaming(entry: ChatEntry | null): void;
  setBusy(busy: boolean): void;
  replaceMessages(messages: readonly ChatEntry[]): void;
  setContextReport(report: ContextReport | null): void;
  notify(text: string, level?: NoticeLevel): void;
  setHelpOpen(open: boolean): void;
  scrollBy(lines: number, maxOffset: number): void;
};

export type MaiStore = StoreApi<State & Actions>;

export function emptyHostResources(): HostResources {
  return {
    cpu: null,
    memory: null,
    gpus: null,
    cpuHistory: [],
    ramHistory: [],
    vramHistory: [],
    smoothed: null,
    pressure: NO_PRESSURE,
    pressureChanges: [],
    maiRssBytes: 0,
    modelRssBytes: {},
    sampledAt: 0,
  };
}

export function createMaiStore(now: () => number = Date.now): MaiStore {
  return createStore<State & Actions>()((set) => ({
    resources: {[LOCAL_HOST]: emptyHostResources()},
    models: {entries: [], currentKey: null, status: {}, lastSwitch: null, lastTokensPerSecond: null},
    backends: {},
    chat: {messages: [], streaming: null, busy: false, context: null},
    ui: {notice: null, helpOpen: false, scrollOffset: 0},

    setHostResources: (host, resources) => set((s) => ({resources: {...s.resources, [host]: resources}})),
    setModelEntries: (entries) => set((s) => ({models: {...s.models, entries}})),
    setModelStatus: (key, status) =>
      set((s) => ({models: {...s.models, status: {...s.models.status, [key]: status}}})),
    setCurrentModel: (key, switchRecord) =>
      set((s) => ({models: {...s.models, currentKey: key, lastSwitch: switchRecord ?? s.models.lastSwitch}})),
    setTokensPerSecond: (value) => set((s) => ({models: {...s.models, lastTokensPerSecond: value}})),
    setBackendStatus: (status) => set((s) => ({backends: {...s.backends, [status.id]: status}})),
    addMessage: (entry) => set((s) => ({chat: {...s.chat, messages: [...s.chat.messages, entry]}})),
    startStreaming: (reply) => set((s) => ({chat: {...s.chat, streaming: reply}})),
    setStreamingText: (text) =>
      set((s) => (s.chat.streaming ? {chat: {...s.chat, streaming: {...s.chat.streaming, text}}} : s)),
    finishStreaming: (entry) =>
      set((s) => ({
        chat: {
          ...s.chat,
          streaming: null,
          messages: entry ? [...s.chat.messages, entry] : s.chat.messages,
        },
      })),
    setBusy: (busy) => set((s) => ({chat: {...s.chat, busy}})),
    replaceMessages: (messages) => set((s) => ({chat: {...s.chat, messages}})),
    setContextReport: (context) => set((s) => ({chat: {...s.chat, context}})),
    notify: (text, level = 'info') => set((s) => ({ui: {...s.ui, notice: {text, level, at: now()}}})),
    setHelpOpen: (helpOpen) => set((s) => ({ui: {...s.ui, helpOpen}})),
    scrollBy: (lines, maxOffset) =>
      set((s) => ({
        ui: {...s.ui, scrollOffset: Math.max(0, Math.min(maxOffset, s.ui.scrollOffset + lines))},
      })),
  }));
}
