// The typed result of loading mai's config (camelCase), and the files it comes from.

import type {Document, LineCounter} from 'yaml';
import type {BackendKind, Tier} from '../domain.js';
import type {Data} from './plain-data.js';

export type GpuSetting = 'auto' | false | 'cuda' | 'vulkan' | 'metal';

/** One `models:` entry: what mai should know about a model beyond what it can read from it. */
export type ModelConfig = {
  /** LM Studio model key or GGUF file name (matched with or without `.gguf`, any case). */
  readonly key: string;
  readonly tier?: Tier;
  readonly capabilities?: readonly string[];
  /** The longest context to use with this model (tokens). */
  readonly contextLength?: number;
  /** Free RAM needed to load it; when absent the memory estimate is used. */
  readonly minFreeRamGb?: number;
  readonly backend?: BackendKind;
};

/** Levels at which a resource enters elevated and critical pressure. */
export type PressureThresholds = {readonly elevated: number; readonly critical: number};

export type PressurePolicy = {
  /** Free RAM in percent: pressure rises as it falls (elevated > critical). */
  readonly ramFreePct: PressureThresholds;
  /** Free VRAM in percent: pressure rises as it falls (elevated > critical). */
  readonly vramFreePct: PressureThresholds;
  /** CPU use in percent: pressure rises with it (elevated < critical). */
  readonly cpuPct: PressureThresholds;
  /** Percentage points back past a threshold before its level is left. */
  readonly hysteresisPct: number;
  /** How long a lower level must hold before pressure eases. */
  readonly dwellMs: number;
  /** Half-life of the moving average each resource's level is decided on; 0 takes each sample as it is. */
  readonly smoothingMs: {readonly cpu: number; readonly ram: number; readonly vram: number};
};

export type PolicyConfig = {
  readonly sampleIntervalMs: number;
  readonly pressure: PressurePolicy;
  /** Sustained critical pressure before switching to a smaller tier. */
  readonly switchDownAfterMs: number;
  /** Sustained ok pressure before trying a larger tier again. */
  readonly switchUpAfterMs: number;
  readonly preload: boolean;
  readonly retries: number;
  readonly struggle: {
    readonly maxTtftMs: number;
    readonly minTokensPerS: number;
    /** Share of repeated text (0 to 1) above which a reply counts as degenerate. */
    readonly maxRepeatRatio: number;
  };
  /** GiB kept free when deciding whether a model fits. */
  readonly memoryHeadroomGb: number;
};

export type EngineConfig = {
  readonly threads: 'auto' | number;
  readonly gpu: GpuSetting;
  /** The context mai asks for, capped by each model's own maximum. */
  readonly contextLength: number;
  readonly maxTokens: number;
  readonly temperature: number;
};

/** What of a conversation each model is sent (DESIGN.md §7). */
export type ContextConfig = {
  /** Kept free for the reply in every model's context: a share of it, or a number of tokens. */
  readonly replyRoom: {readonly percent: number} | {readonly tokens: number};
  /** Sent first in every conversation; empty for none. */
  readonly systemPrompt: string;
  /** Summarize older turns in the background when they no longer fit. */
  readonly summaries: boolean;
};

export type Config = {
  readonly models: readonly ModelConfig[];
  /** Tiers to try, in order, when a tier fails or does not fit. */
  readonly fallbackChains: Readonly<Partial<Record<Tier, readonly Tier[]>>>;
  readonly policy: PolicyConfig;
  readonly engine: EngineConfig;
  /** Absolute folders searched for GGUF files, in order, without duplicates. */
  readonly modelDirs: readonly string[];
  /** `url` is always ws:// or wss:// without a trailing slash (what @lmstudio/sdk requires). */
  readonly lmstudio: {readonly url: string; readonly enabled: boolean};
  readonly ui: {readonly ascii: boolean};
  readonly context: ContextConfig;
};

export type MaiPaths = {
  readonly configDir: string;
  /** The user's config file (read when it exists and no --config is given). */
  readonly configFile: string;
  readonly dataDir: string;
  readonly stateDir: string;
  /** Where mai forges its demo models; always searched. */
  readonly modelsDir: string;
  readonly conversationsDir: string;
  readonly logFile: string;
};

export type LoadedConfig = {
  readonly config: Config;
  readonly paths: MaiPaths;
  /** The files read, bundled first. */
  readonly sources: readonly string[];
};

/** A parsed and validated (but possibly partial) config file. */
export type ConfigFile = {
  readonly path: string;
  /** The file's settings, snake_case as written; keys with an empty value are left out. */
  readonly data: Data;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
};
