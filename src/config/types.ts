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

/** Complexity scores (0 to 1) from which a message asks for a tier; below `medium` it asks for small. */
export type ComplexityThresholds = {readonly medium: number; readonly large: number};

export type StruggleLimits = {
  readonly maxTtftMs: number;
  readonly minTokensPerS: number;
  /** Share of repeated text (0 to 1) above which a reply counts as degenerate. */
  readonly maxRepeatRatio: number;
  /** The span tokens/s is measured over. */
  readonly windowMs: number;
  /** Tokens (characters / 4) a reply must have before its speed is judged. */
  readonly judgeAfterTokens: number;
  /** The latest characters of prose (code blocks excepted) searched for repetition. */
  readonly repeatWindowChars: number;
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
  readonly struggle: StruggleLimits;
  /** GiB kept free when deciding whether a model fits. */
  readonly memoryHeadroomGb: number;
  readonly complexity: ComplexityThresholds;
  /** Turns a conversation stays on a larger tier after going up, before a simple message may take it down. */
  readonly stayUpTurns: number;
  /** The longest load a switch may cost for a one-off, only just complex (or simple) message. */
  readonly switchCostBudgetMs: number;
  /** How long to wait for memory to come back before degrading further when nothing fits. */
  readonly memoryWaitMs: number;
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

/** One `hosts:` entry (DESIGN.md §9): another machine whose models mai may use. */
export type HostConfig = {
  /** What mai calls it (panel, `mai hosts`); never `local`, the machine mai runs on. */
  readonly name: string;
  /** `lmstudio`: another LM Studio; `openai`: any OpenAI-compatible server (llama-server, vLLM, Ollama's /v1). */
  readonly kind: 'lmstudio' | 'openai';
  /** ws:// or wss:// for LM Studio (what @lmstudio/sdk takes), http(s):// otherwise; no trailing slash. */
  readonly url: string;
  /** The NAME of the environment variable that holds the host's key (the key is never in the file). */
  readonly apiKeyEnv?: string;
  /** Higher is tried first among hosts (default 0); a local model that fits still goes first. */
  readonly priority: number;
  readonly limits: {
    /** The largest tier mai asks of this host: its larger models are listed but never chosen. */
    readonly maxTier?: Tier;
  };
  /** Verify the host's TLS certificate (https, wss); false only for a host the user turned it off for. */
  readonly tlsVerify: boolean;
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
  /** `mouse`: the chat asks the terminal for mouse wheel reports (Shift+drag then selects text). */
  readonly ui: {readonly ascii: boolean; readonly mouse: boolean};
  readonly context: ContextConfig;
  /** Other machines, in the order of the file; [] when none. */
  readonly hosts: readonly HostConfig[];
  /**
   * Keys chosen in the config (`keys:`), by key binding id (camelCase, as the TUI's key table names
   * them), each a list of key names ("ctrl+o"); bindings left out keep their default keys.
   */
  readonly keys: Readonly<Record<string, readonly string[]>>;
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
