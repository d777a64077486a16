import {randomBytes} from 'node:crypto';
import type {LLM, LMStudioClient} from '@lmstudio/sdk';
import type {ChatMessage, ModelInfo} from '../../domain.js';
import type {BackendConnection, LoadOptions, ModelBackend, ModelHandle, RespondOptions, ResponseResult} from '../backend.js';
import {ModelError} from '../model-error.js';
import {LMStudioConnection, type LMStudioTimeouts, type LogLevel} from './lmstudio-connection.js';
import {safeName, toModelInfo} from './lmstudio-info.js';
import {streamReply} from './lmstudio-reply.js';

// LM Studio as a backend (DESIGN.md §3), one instance per LM Studio server: its downloaded models,
// loads with progress and cancel, streamed replies, token counts. mai unloads only the instances it
// loaded itself; a model the user loaded in LM Studio is used as it is and never unloaded.
// The connection (probe, state, reconnection, timeouts) is lmstudio-connection.ts.

export type {LMStudioState, LMStudioStatus, LMStudioTimeouts} from './lmstudio-connection.js';

export type LMStudioAdapterOptions = {
  readonly id?: string;
  /** The host from the config's `hosts:` (another machine's LM Studio); absent for this machine's. */
  readonly host?: string;
  /** ws:// or wss://, no trailing slash (the config's lmstudio.url, already normalized). */
  readonly url: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly timeouts?: Partial<LMStudioTimeouts>;
  readonly reconnectMs?: {readonly initial: number; readonly max: number};
  /**
   * LM Studio unloads a model mai loaded after it sat idle this long, so that its memory comes back
   * even if mai is killed before it can unload. Never applied to the user's models.
   */
  readonly idleUnloadSeconds?: number;
  /** Everything the SDK logs, sanitized; nothing reaches the console. */
  readonly onLog?: (level: LogLevel, message: string) => void;
};

type Instance = {readonly llm: LLM; readonly handle: ModelHandle};

export class LMStudioAdapter implements ModelBackend {
  readonly kind = 'lmstudio' as const;
  readonly id: string;
  /** LM Studio's state, followed live (the panel, `mai status`). */
  readonly connection: BackendConnection;
  private readonly link: LMStudioConnection;
  /** Identifiers of the instances this adapter loaded: the only ones it will ever unload. */
  private readonly owned = new Set<string>();
  /** Loads cancelled mid-way: if LM Studio finishes one anyway, it is unloaded when next seen. */
  private readonly abandoned = new Set<string>();
  private readonly instances = new Map<string, Instance>();

  constructor(private readonly options: LMStudioAdapterOptions) {
    this.id = options.id ?? 'lmstudio';
    this.link = new LMStudioConnection({
      url: options.url,
      ...(options.host ? {name: `LM Studio on ${options.host}`} : {}),
      ...(options.timeouts ? {timeouts: options.timeouts} : {}),
      ...(options.reconnectMs ? {reconnectMs: options.reconnectMs} : {}),
      ...(options.onLog ? {onLog: options.onLog} : {}),
    });
    this.connection = this.link;
  }

  get url(): string {
    return this.options.url;
  }

  /** The host it runs on; undefined for this machine. */
  get host(): string | undefined {
    return this.options.host;
  }

  available(): Promise<boolean> {
    return this.link.available();
  }

  async listModels(): Promise<ModelInfo[]> {
    const client = await this.link.connected('listing models');
    const [downloaded, loaded] = await Promise.all([
      this.link.call('system', 'the list of downloaded models', 'call', () => client.system.listDownloadedModels('llm')),
      this.loadedInstances(client),
    ]);
    this.reapAbandoned(client, loaded);
    const loadedBy = new Map<string, 'user' | 'mai'>();
    for (const llm of loaded) {
      if (this.owned.has(llm.identifier)) loadedBy.set(llm.modelKey, 'mai');
      else if (!loadedBy.has(llm.modelKey)) loadedBy.set(llm.modelKey, 'user');
    }
    return downloaded.map((info) => {
      const model = toModelInfo(info, this.id, loadedBy.get(info.modelKey));
      return this.options.host ? {...model, host: this.options.host} : model;
    });
  }

  private loadedInstances(client: LMStudioClient): Promise<LLM[]> {
    return this.link.call('llm', 'the list of loaded models', 'call', () => client.llm.listLoaded());
  }

  /** Every model loaded in LM Studio; `ownedByMai` tells which mai loaded and which the user did. */
  async listLoaded(): Promise<ModelHandle[]> {
    const client = await this.link.connected('listing loaded models');
    const loaded = await this.loadedInstances(client);
    return Promise.all(loaded.map(async (llm) => (await this.adopt(llm)).handle));
  }

  /** A handle on an instance LM Studio has loaded (by mai or by the user). */
  private async adopt(llm: LLM): Promise<Instance> {
    const id = `${this.id}:${llm.identifier}`;
    const known = this.instances.get(id);
    if (known) return known;
    const contextLength = await this.link.call('llm', `the context length of ${llm.identifier}`, 'call', () => llm.getContextLength(), llm.modelKey);
    const handle: ModelHandle = {id, key: safeName(llm.modelKey), backendId: this.id, contextLength, ownedByMai: this.owned.has(llm.identifier)};
    const instance = {llm, handle};
    this.instances.set(id, instance);
    return instance;
  }

  /**
   * Loads `key` in LM Studio with progress. An instance already loaded there (by the user, or by
   * mai before a reconnection) is used as it is: a model is never in memory twice.
   */
  async load(key: string, {contextLength, signal, onProgress}: LoadOptions): Promise<ModelHandle> {
    const client = await this.link.connected(`loading ${key}`);
    const loaded = await this.loadedInstances(client);
    const existing = loaded.find((llm) => llm.modelKey === key && this.owned.has(llm.identifier)) ?? loaded.find((llm) => llm.modelKey === key);
    if (existing) {
      onProgress?.(1);
      return (await this.adopt(existing)).handle;
    }
    // An identifier of its own: mai can find its instance even after a cancel that came too late.
    const identifier = `${key}:mai-${randomBytes(3).toString('hex')}`;
    const llm = await this.loadWithWatchdog(client, key, identifier, contextLength, signal, onProgress);
    this.owned.add(identifier);
    return (await this.adopt(llm)).handle;
  }

  private loadWithWatchdog(
    client: LMStudioClient,
    key: string,
    identifier: string,
    contextLength: number,
    signal: AbortSignal | undefined,
    onProgress: ((fraction: number) => void) | undefined,
  ): Promise<LLM> {
    const controller = new AbortController();
    const {loadIdleMs} = this.link.timeouts;
    return new Promise<LLM>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error: ModelError | null, llm?: LLM) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(llm as LLM);
      };
      const abandon = (error: ModelError) => {
        this.abandoned.add(identifier);
        controller.abort();
        finish(error);
      };
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => abandon(new ModelError('timeout', `LM Studio made no progress loading ${key} for ${loadIdleMs} ms`, key)), loadIdleMs);
      };
      const onAbort = () => abandon(new ModelError('aborted', `loading ${key} was cancelled`, key));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, {once: true});
      touch();
      client.llm
        .load(key, {
          identifier,
          // The SDK prints load progress on stdout unless told not to; mai draws its own.
          verbose: false,
          signal: controller.signal,
          config: {contextLength},
          ...(this.options.idleUnloadSeconds ? {ttl: this.options.idleUnloadSeconds} : {}),
          onProgress: (progress) => {
            touch();
            onProgress?.(progress);
          },
        })
        .then(
          (llm) => finish(null, llm),
          (error: unknown) => {
            if (!settled) finish(this.link.classify(error, 'load', `loading ${key}`, key));
          },
        );
    });
  }

  private reapAbandoned(client: LMStudioClient, loaded: readonly LLM[]): void {
    for (const llm of loaded) {
      if (!this.abandoned.delete(llm.identifier)) continue;
      this.link.call('llm', `unloading ${llm.identifier}`, 'call', () => client.llm.unload(llm.identifier)).catch(() => undefined);
    }
  }

  private instanceFor(handle: ModelHandle): Instance {
    const instance = this.instances.get(handle.id);
    if (!instance) throw new ModelError('crashed', `${handle.key} is no longer loaded in LM Studio`, handle.key);
    return instance;
  }

  /** Unloads an instance mai loaded; a model the user loaded in LM Studio stays loaded. */
  async unload(handle: ModelHandle): Promise<void> {
    const instance = this.instances.get(handle.id);
    if (!instance) return;
    this.instances.delete(handle.id);
    const {identifier} = instance.llm;
    if (!this.owned.has(identifier)) {
      this.link.log('info', [`kept ${identifier} loaded: the user loaded it in LM Studio`]);
      return;
    }
    if (this.link.status().state !== 'connected') return; // LM Studio's idle TTL frees it
    try {
      const client = await this.link.client();
      await this.link.call('llm', `unloading ${identifier}`, 'call', () => client.llm.unload(identifier), handle.key);
      this.owned.delete(identifier);
    } catch (error) {
      // A failed unload must not fail a switch: LM Studio's idle TTL frees the model later.
      this.link.log('warn', [`could not unload ${identifier}: ${(error as Error).message}`]);
    }
  }

  // async: a handle that is no longer loaded is a rejected promise, like every other failure.
  async respond(handle: ModelHandle, messages: readonly ChatMessage[], options: RespondOptions = {}): Promise<ResponseResult> {
    const {llm} = this.instanceFor(handle);
    return streamReply({
      llm,
      modelKey: handle.key,
      messages,
      options: {...options, maxTokens: options.maxTokens ?? this.options.maxTokens, temperature: options.temperature ?? this.options.temperature},
      timeouts: this.link.timeouts,
      closeSocket: () => this.link.closeSockets(['llm']),
      classify: (error) => this.link.classify(error, 'respond', `the reply of ${handle.key}`, handle.key),
    });
  }

  async countTokens(handle: ModelHandle, text: string): Promise<number> {
    const {llm} = this.instanceFor(handle);
    return this.link.call('llm', 'a token count', 'call', () => llm.countTokens(text), handle.key);
  }

  contextLength(handle: ModelHandle): number {
    return handle.contextLength;
  }

  /** Unloads what mai loaded (never the user's models), then closes every socket. Idempotent. */
  async dispose(): Promise<void> {
    await this.link.dispose(async (client) => {
      const unloads = [...this.owned].map((identifier) =>
        this.link.call('llm', `unloading ${identifier}`, 'call', () => client.llm.unload(identifier)).catch(() => undefined),
      );
      await Promise.all(unloads);
    });
    this.owned.clear();
    this.instances.clear();
  }
}
