// The contract every engine implements (DESIGN.md §3). One backend instance serves one host, so that
// remote pools (DESIGN.md §9) are more instances of the same interface, never a global singleton.

export type BackendKind = 'embedded' | 'lmstudio';
/** How a backend on another program or host is doing (the embedded engine is always there). */
export type ConnectionState = 'checking' | 'connected' | 'not-running' | 'reconnecting' | 'error';
export type Tier = 'small' | 'medium' | 'large';
export const TIERS: readonly Tier[] = ['small', 'medium', 'large'];

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
export type ModelSource = {readonly backendId: string; readonly kind: BackendKind; readonly key: string};

export type ModelInfo = {
  /** Stable key: the GGUF file name without `.gguf`, or LM Studio's model key. */
  readonly key: string;
  /** The key the backend knows the model by, when the catalogue had to rename it to stay unique. */
  readonly backendKey?: string;
  readonly backendId: string;
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

export type ModelHandle = {
  readonly id: string;
  readonly key: string;
  readonly backendId: string;
  readonly contextLength: number;
  /** The engine host process, for embedded models: the resource monitor reads its RSS. */
  readonly pid?: number;
  /** False for a model the user loaded outside mai (LM Studio): mai never unloads those. */
  readonly ownedByMai: boolean;
};

export type LoadOptions = {
  readonly contextLength: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
};

export type Role = 'system' | 'user' | 'assistant';
export type ChatMessage = {readonly role: Role; readonly content: string};

export type RespondOptions = {
  readonly signal?: AbortSignal;
  readonly onText?: (chunk: string) => void;
  readonly maxTokens?: number;
  readonly temperature?: number;
  /**
   * A request beside the conversation (a summary): where the engine keeps a cache of the
   * conversation's prompt, it is left as it is, so the next reply need not evaluate it all again.
   */
  readonly isolated?: boolean;
};

export type StopReason = 'eos' | 'maxTokens' | 'aborted';

export type ResponseStats = {
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly timeToFirstTokenMs: number;
  readonly tokensPerSecond: number;
  readonly totalMs: number;
  readonly stopReason: StopReason;
};

export type ResponseResult = {readonly text: string; readonly stats: ResponseStats};

export interface ModelBackend {
  readonly id: string;
  readonly kind: BackendKind;
  available(): Promise<boolean>;
  listModels(): Promise<ModelInfo[]>;
  listLoaded(): Promise<ModelHandle[]>;
  load(key: string, options: LoadOptions): Promise<ModelHandle>;
  unload(handle: ModelHandle): Promise<void>;
  /** Resolves with the partial text and stopReason "aborted" when the signal fires. */
  respond(handle: ModelHandle, messages: readonly ChatMessage[], options?: RespondOptions): Promise<ResponseResult>;
  countTokens(handle: ModelHandle, text: string): Promise<number>;
  /**
   * Tokens of each text in one round trip (optional: the context manager falls back to
   * countTokens per text). A switch re-counts the whole conversation with the target's tokenizer.
   */
  countTokensMany?(handle: ModelHandle, texts: readonly string[]): Promise<number[]>;
  /**
   * Tokens of the whole prompt as the model's chat template renders it, the reply's header
   * included (optional: without it the context manager keeps a safety margin instead).
   */
  countPromptTokens?(handle: ModelHandle, messages: readonly ChatMessage[]): Promise<number>;
  contextLength(handle: ModelHandle): number;
  /** Unloads what this backend loaded and releases its processes and sockets. Idempotent. */
  dispose(): Promise<void>;
}
