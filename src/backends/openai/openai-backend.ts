import type OpenAI from 'openai';
import type {ChatMessage, ModelInfo} from '../../domain.js';
import type {EventLog} from '../../util/log.js';
import type {BackendConnection, LoadOptions, ModelBackend, ModelHandle, RespondOptions, ResponseResult} from '../backend.js';
import {ModelError} from '../model-error.js';
import {apiBaseURL, createClient, serverRoot} from './openai-client.js';
import {OpenAIConnection, type ReconnectTimings} from './openai-connection.js';
import {classifyOpenAIError, type ErrorContext} from './openai-errors.js';
import {toModelInfo, type ModelEntry} from './openai-models.js';
import {streamReply} from './openai-reply.js';
import {estimateTokens, TokenCounter} from './openai-tokens.js';

// Any OpenAI-compatible server on another host as a backend (DESIGN.md §9): llama-server, vLLM,
// Ollama's /v1, LM Studio's REST API, LocalAI, llama-swap. One instance per host. Such a server
// loads its models itself (at its start, or on the first request for one, as llama-swap does), so
// load() checks that the host lists the model and hands out a handle that mai does not own; unload
// forgets the handle and leaves the server as it is.

export type OpenAIBackendOptions = {
  /** The backend's id, e.g. "openai:gpu-box". */
  readonly id: string;
  /** The host's name from the config ("gpu-box"): set as ModelInfo.host. */
  readonly host: string;
  /** "http://10.0.0.5:8080" or "http://10.0.0.5:8080/v1" (both accepted). */
  readonly baseURL: string;
  /** Read from the environment by the caller; never logged, never in an error message. */
  readonly apiKey?: string;
  /** The environment variable the key came from, named (never its value) when the host refuses it. */
  readonly apiKeyVar?: string;
  readonly timeouts?: {readonly connectMs?: number; readonly firstTokenMs?: number; readonly betweenChunksMs?: number};
  /** Default true; false only when the user turns it off for this host. */
  readonly tlsVerify?: boolean;
  readonly log?: EventLog;
  /** A reply's length when the caller gives none. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** Background reconnection and heartbeat (DEFAULT_RECONNECT). */
  readonly reconnect?: Partial<ReconnectTimings>;
};

/**
 * Connect covers every call that returns one answer (the model list, a token count): on a LAN or
 * loopback it is milliseconds, so 5 s means the host is not answering. The first token waits for
 * the prompt to be processed (a long conversation on a loaded server: minutes); between chunks a
 * server that is generating sends several a second.
 */
export const DEFAULT_OPENAI_TIMEOUTS = {connectMs: 5_000, firstTokenMs: 300_000, betweenChunksMs: 60_000} as const;

export class OpenAIBackend implements ModelBackend {
  readonly kind = 'openai' as const;
  readonly id: string;
  readonly connection: BackendConnection;
  private readonly link: OpenAIConnection;
  private readonly client: OpenAI;
  private readonly tokens: TokenCounter;
  private readonly timeouts: {readonly connectMs: number; readonly firstTokenMs: number; readonly betweenChunksMs: number};
  /** Models by mai's key, from the last listing: the id to ask the server for. */
  private models = new Map<string, ModelInfo>();
  private readonly handles = new Map<string, ModelHandle>();
  private handleCount = 0;
  private disposed = false;

  constructor(private readonly options: OpenAIBackendOptions) {
    this.id = options.id;
    const {connectMs, firstTokenMs, betweenChunksMs} = {...DEFAULT_OPENAI_TIMEOUTS, ...options.timeouts};
    // The client validates timeouts as whole milliseconds.
    this.timeouts = {connectMs: Math.round(connectMs), firstTokenMs: Math.round(firstTokenMs), betweenChunksMs: Math.round(betweenChunksMs)};
    this.client = createClient({
      baseURL: options.baseURL,
      ...(options.apiKey ? {apiKey: options.apiKey} : {}),
      timeoutMs: this.timeouts.connectMs,
      tlsVerify: options.tlsVerify ?? true,
    });
    this.tokens = new TokenCounter(this.client, serverRoot(options.baseURL), this.timeouts.connectMs);
    this.link = new OpenAIConnection({
      name: options.host,
      url: apiBaseURL(options.baseURL),
      check: async () => void (await this.fetchModels(this.context('listing models', 'call'), false)),
      ...(options.reconnect ? {reconnect: options.reconnect} : {}),
      onChange: (status) =>
        options.log?.event('host-connection', {host: options.host, state: status.state, latencyMs: status.latencyMs ?? null, detail: status.detail}),
    });
    this.connection = this.link;
  }

  get host(): string {
    return this.options.host;
  }

  private context(what: string, call: ErrorContext['call'], modelKey?: string): ErrorContext {
    return {
      host: this.options.host,
      what,
      call,
      ...(modelKey ? {modelKey} : {}),
      ...(this.options.apiKey ? {apiKey: this.options.apiKey} : {}),
      ...(this.options.apiKeyVar ? {apiKeyVar: this.options.apiKeyVar} : {}),
    };
  }

  /** Classifies a failure and tells the connection, so that the panel shows it and reconnection starts. */
  private failure(error: unknown, context: ErrorContext): ModelError {
    const classified = classifyOpenAIError(error, context);
    if (classified.kind === 'backend-gone' || (classified.kind !== 'aborted' && classified.kind !== 'not-found' && context.call === 'call')) {
      this.link.failed(classified);
    }
    return classified;
  }

  /** The server's model list (one GET /v1/models), as ModelInfo. */
  /** `track`: a success also tells the connection (the check itself reports on its own). */
  private async fetchModels(context = this.context('listing models', 'call'), track = true): Promise<ModelInfo[]> {
    let entries: ModelEntry[];
    const started = performance.now();
    try {
      const page = await this.client.models.list({timeout: this.timeouts.connectMs});
      entries = page.data as unknown as ModelEntry[];
    } catch (error) {
      throw classifyOpenAIError(error, context);
    }
    if (track) this.link.reached(performance.now() - started);
    const models = entries.filter((entry) => typeof entry?.id === 'string' && entry.id !== '').map((entry) => toModelInfo(entry, this.id, this.options.host));
    this.models = new Map(models.map((model) => [model.key, model]));
    return models;
  }

  available(): Promise<boolean> {
    return this.disposed ? Promise.resolve(false) : this.link.available();
  }

  async listModels(): Promise<ModelInfo[]> {
    try {
      return await this.fetchModels();
    } catch (error) {
      throw this.failure(error, this.context('listing models', 'call'));
    }
  }

  /** The handles mai holds on this host (the server's own loading is its business). */
  async listLoaded(): Promise<ModelHandle[]> {
    return [...this.handles.values()];
  }

  /**
   * The host loads models itself: this checks that it lists `key` and returns a handle on it, with
   * the context length mai asked for (at most the model's own), which mai fits conversations into.
   */
  async load(key: string, {contextLength, signal, onProgress}: LoadOptions): Promise<ModelHandle> {
    if (this.disposed) throw new ModelError('backend-gone', `the backend of ${this.options.host} was closed`, key);
    if (signal?.aborted) throw new ModelError('aborted', `loading ${key} was cancelled`, key);
    const context = this.context(`loading ${key}`, 'load', key);
    const models = await this.fetchModels(context).catch((error: unknown) => {
      throw this.failure(error, context);
    });
    const model = models.find((info) => info.key === key);
    if (!model) throw new ModelError('not-found', `${this.options.host} does not serve a model named ${key}`, key);
    this.handleCount += 1;
    const handle: ModelHandle = {
      id: `${this.id}:${key}#${this.handleCount}`,
      key,
      backendId: this.id,
      contextLength: Math.min(contextLength, model.contextLength),
      ownedByMai: false,
    };
    this.handles.set(handle.id, handle);
    onProgress?.(1);
    return handle;
  }

  async unload(handle: ModelHandle): Promise<void> {
    this.handles.delete(handle.id);
  }

  private serverId(handle: ModelHandle): string {
    if (!this.handles.has(handle.id)) throw new ModelError('not-found', `${handle.key} is no longer in use on ${this.options.host}`, handle.key);
    const model = this.models.get(handle.key);
    return model?.backendKey ?? handle.key;
  }

  // async: a handle that is no longer held is a rejected promise, like every other failure.
  async respond(handle: ModelHandle, messages: readonly ChatMessage[], options: RespondOptions = {}): Promise<ResponseResult> {
    const model = this.serverId(handle);
    const context = this.context(`the reply of ${handle.key}`, 'respond', handle.key);
    return streamReply({
      client: this.client,
      model,
      modelKey: handle.key,
      host: this.options.host,
      messages,
      options: {...options, maxTokens: options.maxTokens ?? this.options.maxTokens ?? 1024, temperature: options.temperature ?? this.options.temperature ?? 0.7},
      timeouts: this.timeouts,
      classify: (error) => this.failure(error, context),
      estimateTokens,
    });
  }

  async countTokens(handle: ModelHandle, text: string): Promise<number> {
    const model = this.serverId(handle);
    try {
      return await this.tokens.count(model, text);
    } catch (error) {
      throw this.failure(error, this.context('a token count', 'call', handle.key));
    }
  }

  /** True while this host has no tokenizer endpoint: countTokens then estimates (characters / 4). */
  tokenCountsEstimated(): boolean {
    return this.tokens.estimated;
  }

  contextLength(handle: ModelHandle): number {
    return handle.contextLength;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.link.dispose();
    this.handles.clear();
  }
}
