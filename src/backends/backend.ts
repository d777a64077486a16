// The contract every engine implements (DESIGN.md §3). One backend instance serves one host, so that
// remote pools (DESIGN.md §9) are more instances of the same interface, never a global singleton.
// What only some backends can do is an optional member here, so that Mai and the ModelManager ask
// for a capability, never for a class: a new backend plugs in without editing them.

import type {BackendKind, ChatMessage, ConnectionState, ModelInfo, ResponseStats} from '../domain.js';

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
  /**
   * The start of the reply, written by another model before a switch: the model goes on from it
   * (only for a backend whose `continuesReplies` is true). Chunks and the result carry only what
   * this model adds.
   */
  readonly continueFrom?: string;
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
  /**
   * Whether countTokens (and its kin) only estimate for this handle (optional: absent means the
   * counts are the model's own). A remote server without a tokenizer endpoint gets an estimate
   * (the OpenAI backend: characters / 4), so the context manager should keep a margin; a reply's
   * own tokensIn/tokensOut still come from the server's usage when it reports one.
   */
  tokenCountsEstimated?(handle: ModelHandle): boolean;
  /** Unloads what this backend loaded and releases its processes and sockets. Idempotent. */
  dispose(): Promise<void>;
  /**
   * What a loaded model holds in memory now, measured (an engine process's RSS). Absent where
   * the engine runs in another program: mai then counts the model's estimate.
   */
  residentBytes?(handle: ModelHandle): number;
  /**
   * What the load of `handle` took, measured once the model is resident (null when it is gone):
   * mai corrects its estimates for the next loads from it. Absent where the engine is elsewhere.
   */
  measureLoad?(handle: ModelHandle): Promise<MeasuredLoad | null>;
  /**
   * Whether `respond` can go on from the start of a reply another model wrote (`continueFrom`):
   * then a switch in the middle of a reply keeps its text and the new model finishes it.
   */
  readonly continuesReplies?: boolean;
  /**
   * Frees what the backend holds ahead of need (an idle spare engine) and says whether anything
   * was freed: the first thing mai gives back under memory pressure, as it costs nothing.
   */
  releaseIdle?(): boolean;
  /** The pressure that made mai call `releaseIdle` has eased: it may hold those things again. */
  resumeIdle?(): void;
  /** Whether it holds something ahead of need now (what `releaseIdle` would free). */
  holdsIdle?(): boolean;
  /** For a backend in another program or on another host: whether it can be reached, followed live. */
  readonly connection?: BackendConnection;
}

/** What one load measured in the engine's own process, for estimates that learn (manager/estimate-learning.ts). */
export type MeasuredLoad = {
  readonly contextLength: number;
  /** Layers offloaded to the GPU (0 on CPU). */
  readonly gpuLayers: number;
  /** The engine process with no model yet (the empty engine). */
  readonly baselineBytes: number;
  /** The same process with the model loaded and warmed up. */
  readonly residentBytes: number;
  /** GPU memory the load took; 0 without a GPU. */
  readonly vramBytes: number;
};

/** How a backend in another program is doing, for the models panel and `mai status`. */
export type ConnectionStatus = {
  readonly state: ConnectionState;
  readonly url: string;
  /** The server's version, once connected. */
  readonly version: string | null;
  /** Why it is not connected (one sanitized line). */
  readonly detail: string | null;
  /** The last measured round trip to the server (a remote host's latency), when known. */
  readonly latencyMs?: number | null;
};

export interface BackendConnection {
  /** What the user calls it ("LM Studio"), for notices. */
  readonly name: string;
  status(): ConnectionStatus;
  /** Calls `listener` on every change; returns the function that stops it. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Keeps looking for the server in the background (reconnecting when it goes) until dispose. */
  watch(): void;
}
