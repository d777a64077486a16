// The shared vocabulary of mai (DESIGN.md §2): what a model, a message and a reply are, as every
// part sees them. Types only (and the tier order), so that the TUI, the store, the manager and the
// backends can all speak of models without importing one another.

/** `openai`: any OpenAI-compatible server on another host (llama-server, vLLM, Ollama's /v1, LM Studio's REST). */
export type BackendKind = 'embedded' | 'lmstudio' | 'openai';
/** A machine models run on (DESIGN.md §9): `local`, or the name of a host in the config's `hosts:`. */
export type HostName = string;
/** How a backend on another program or host is doing (the embedded engine is always there). */
export type ConnectionState = 'checking' | 'connected' | 'not-running' | 'reconnecting' | 'error';
export type Tier = 'small' | 'medium' | 'large';
export const TIERS: readonly Tier[] = ['small', 'medium', 'large'];
/** Why the start's model was loaded when nothing else decided it: true only until the first message. */
export const START_REASON = 'ready for a first message';

/** What the memory estimate needs from a model's metadata; absent for models we cannot read. */
export type ModelShape = {
  readonly layers: number;
  readonly embeddingLength: number;
  readonly headCount: number;
  readonly headCountKv: number;
  /** Bytes of tensor data (the weights as they sit in memory). */
  readonly weightBytes: number;
};

/** One backend that can run a model, and the key it knows the model by. */
export type ModelSource = {
  readonly backendId: string;
  readonly kind: BackendKind;
  readonly key: string;
  /** The host the backend runs the model on; absent means `local`. */
  readonly host?: HostName;
};

export type ModelInfo = {
  /** Stable key: the GGUF file name without `.gguf`, or LM Studio's model key. */
  readonly key: string;
  /** The key the backend knows the model by, when the catalogue had to rename it to stay unique. */
  readonly backendKey?: string;
  readonly backendId: string;
  /** The host the model runs on (DESIGN.md §9); absent means `local`. */
  readonly host?: HostName;
  readonly displayName: string;
  readonly sizeBytes: number;
  readonly params?: number;
  readonly quant?: string;
  readonly arch?: string;
  /** The context length the model was trained for (its maximum). */
  readonly contextLength: number;
  /** The file, or for LM Studio its path relative to LM Studio's models folder. */
  readonly path?: string;
  readonly shape?: ModelShape;
  /** Forged by mai: answers with a fixed message. */
  readonly demo: boolean;
  /** A tier the file declares for itself (demo models do). */
  readonly tier?: Tier;
  /** Why the model cannot be used, when it cannot (corrupt file, crashed the engine). */
  readonly unusable?: string;
  /** Already loaded in its backend (LM Studio), and by whom: mai never unloads what the user loaded. */
  readonly loadedBy?: 'user' | 'mai';
  /**
   * Every backend that can run it, the one mai uses first (the catalogue merges the same file seen
   * through LM Studio and on disk into one entry). Set by the catalogue.
   */
  readonly sources?: readonly ModelSource[];
};

export type Role = 'system' | 'user' | 'assistant';
export type ChatMessage = {readonly role: Role; readonly content: string};

export type StopReason = 'eos' | 'maxTokens' | 'aborted';

export type ResponseStats = {
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly timeToFirstTokenMs: number;
  readonly tokensPerSecond: number;
  readonly totalMs: number;
  readonly stopReason: StopReason;
};

/** How a model failed, as the ModelManager reads it: retry, fall back or mark unusable by kind alone. */
export type ModelErrorKind =
  /** The file can never work (corrupt, truncated, crashed the engine while loading). */
  | 'unusable'
  /** The engine process died or stopped answering while the model was in use. */
  | 'crashed'
  /** The backend went away (socket dropped, server stopped). */
  | 'backend-gone'
  /** Not enough memory for the model and its context right now. */
  | 'out-of-memory'
  | 'load-failed'
  | 'not-found'
  | 'timeout'
  | 'aborted';
