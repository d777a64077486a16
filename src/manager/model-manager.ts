import type {EventLog} from '../util/log.js';
import type {MaiStore, ModelEntry} from '../store.js';
import type {ChatMessage} from '../domain.js';
import type {ModelBackend, ModelHandle, RespondOptions, ResponseResult} from '../backends/backend.js';
import {buildEntries, contextFor, listAllModels, type ModelSettings} from './catalog.js';
import {errorMessage, ModelError} from '../backends/model-error.js';
import {fitsInMemory, gib} from './estimate.js';
import {cycleModel, selectBestModel} from './select.js';

// Which model runs, loading and unloading, switching one at a time, and falling back when a model
// fails (DESIGN.md §5). This is the minimal policy; pressure-driven switching builds on it.

export type ModelManagerOptions = {
  readonly backends: readonly ModelBackend[];
  readonly store: MaiStore;
  readonly log: EventLog;
  /** Available memory now, in bytes. */
  readonly availableMemory: () => Promise<number>;
  readonly settingsFor: (key: string) => ModelSettings | undefined;
  readonly contextLength: number;
  readonly headroomBytes: number;
  readonly retries: number;
  /** Called when no usable model exists anywhere; resolves true if it created some (demo models). */
  readonly onNoModels?: () => Promise<boolean>;
  /**
   * Called when a switch has loaded its target, before it becomes current: the conversation is
   * transferred to it (re-counted with its tokenizer, re-fitted to its window). A failure is
   * logged and does not stop the switch: the next prompt is fitted anyway.
   */
  readonly onSwitch?: (target: LoadedModel, from: string | null, reason: string) => Promise<void>;
  readonly now?: () => number;
};

export type LoadedModel = {readonly handle: ModelHandle; readonly backend: ModelBackend};
type Loaded = LoadedModel;

/** The prompt for the model that will answer (a fallback can change which one that is). */
export type PromptFor = (target: LoadedModel) => Promise<{readonly messages: readonly ChatMessage[]; readonly maxTokens?: number}>;

export type SwitchOutcome = 'switched' | 'already-current' | 'superseded';

type SwitchRequest = {
  readonly key: string;
  readonly reason: string;
  readonly resolve: (outcome: SwitchOutcome) => void;
  readonly reject: (error: Error) => void;
};

export type ManagedResponse = ResponseResult & {readonly modelKey: string};

/** How long a model that failed to load is left out of automatic selection. */
const LOAD_RETRY_AFTER_MS = 60_000;

export class ModelManager {
  private readonly loaded = new Map<string, Loaded>();
  private currentKey: string | null = null;
  private preferredKey: string | null = null;
  private requested: SwitchRequest | null = null;
  private inFlight: {key: string; controller: AbortController} | null = null;
  private worker: Promise<void> | null = null;
  private catalogReady: Promise<void> | null = null;
  /** When each model last failed to load. */
  private readonly failedLoads = new Map<string, number>();

  constructor(private readonly options: ModelManagerOptions) {}

  private get store() {
    return this.options.store.getState();
  }

  entries(): readonly ModelEntry[] {
    return this.store.models.entries;
  }

  current(): Loaded | null {
    return this.currentKey ? (this.loaded.get(this.currentKey) ?? null) : null;
  }

  preferred(): string | null {
    return this.preferredKey;
  }

  setPreferred(key: string | null): void {
    this.preferredKey = key;
  }

  /** Lists every backend and publishes the catalogue; forges demo models when there is nothing. */
  async refreshCatalog(): Promise<readonly ModelEntry[]> {
    const {backends, onNoModels, log, settingsFor} = this.options;
    let listed = await listAllModels(backends, settingsFor);
    if (!listed.infos.some((info) => !info.unusable) && onNoModels && (await onNoModels())) {
      listed = await listAllModels(backends, settingsFor);
    }
    for (const problem of listed.problems) log.warn('catalog-problem', {problem});
    const availableBytes = await this.options.availableMemory();
    const entries = buildEntries(listed.infos, {...this.options, availableBytes});
    this.store.setModelEntries(entries);
    for (const entry of entries) {
      if (entry.unusable) this.store.setModelStatus(entry.key, {state: 'failed', reason: entry.unusable});
    }
    return entries;
  }

  private ensureCatalog(): Promise<void> {
    this.catalogReady ??= this.refreshCatalog().then(() => undefined);
    return this.catalogReady;
  }

  /** Resolves once no switch is queued or running. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /**
   * Makes `key` the current model. One switch runs at a time; a newer request supersedes a queued
   * one and cancels a load still in progress, so Ctrl+N pressed three times loads one model.
   */
  switchTo(key: string, reason: string): Promise<SwitchOutcome> {
    return new Promise<SwitchOutcome>((resolve, reject) => {
      this.requested?.resolve('superseded');
      this.requested = {key, reason, resolve, reject};
      if (this.inFlight && this.inFlight.key !== key) this.inFlight.controller.abort();
      this.worker ??= this.drain().finally(() => (this.worker = null));
    });
  }

  private async drain(): Promise<void> {
    await this.ensureCatalog();
    while (this.requested) {
      const request = this.requested;
      this.requested = null;
      try {
        request.resolve(await this.performSwitch(request.key, request.reason));
      } catch (error) {
        if (error instanceof ModelError && error.kind === 'aborted' && this.requested) request.resolve('superseded');
        else request.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private async performSwitch(key: string, reason: string): Promise<SwitchOutcome> {
    if (key === this.currentKey && this.loaded.has(key)) return 'already-current';
    const entry = this.entries().find((candidate) => candidate.key === key);
    if (!entry) throw new ModelError('not-found', `no model named ${key}`, key);
    if (entry.unusable) throw new ModelError('unusable', entry.unusable, key);
    const backend = this.options.backends.find((candidate) => candidate.id === entry.backendId);
    if (!backend) throw new ModelError('not-found', `the backend of ${key} is not available`, key);
    const previous = this.current();
    const {log, headroomBytes} = this.options;

    let target = this.loaded.get(key);
    if (!target) {
      const available = await this.options.availableMemory();
      const previousEntry = previous && this.entries().find((candidate) => candidate.key === previous.handle.key);
      const freeable = previous?.handle.ownedByMai ? (previousEntry?.estimateBytes ?? 0) : 0;
      // A model its backend already holds (loaded in LM Studio) takes no more memory to use.
      if (!entry.loadedBy && !fitsInMemory(entry.estimateBytes, available, headroomBytes)) {
        if (previous && fitsInMemory(entry.estimateBytes, available + freeable, headroomBytes)) {
          // Both at once would not fit: free the old model first.
          await this.unloadKey(previous.handle.key);
        } else if (this.currentKey !== null || this.entries().some((other) => other.fits && !other.unusable)) {
          throw new ModelError(
            'out-of-memory',
            `${key} needs about ${gib(entry.estimateBytes).toFixed(1)} GiB; ${gib(available).toFixed(1)} GiB is available`,
            key,
          );
        }
      }
      target = await this.load(entry, backend);
    }
    const from = this.currentKey;
    if (this.options.onSwitch) {
      await this.options.onSwitch(target, from, reason).catch((error: unknown) => log.error('context-transfer-failed', error, {model: key}));
    }
    this.currentKey = key;
    this.store.setCurrentModel(key, {from, to: key, reason, at: (this.options.now ?? Date.now)()});
    log.event('switch', {from, to: key, reason});
    if (previous && previous.handle.key !== key && previous.handle.ownedByMai) await this.unloadKey(previous.handle.key);
    return 'switched';
  }

  private async load(entry: ModelEntry, backend: ModelBackend): Promise<Loaded> {
    const {key} = entry;
    const controller = new AbortController();
    this.inFlight = {key, controller};
    this.store.setModelStatus(key, {state: 'loading', progress: 0});
    const started = Date.now();
    try {
      const handle = await backend.load(entry.backendKey ?? key, {
        contextLength: contextFor(entry, this.options),
        signal: controller.signal,
        onProgress: (progress) => this.store.setModelStatus(key, {state: 'loading', progress}),
      });
      // The catalogue's key, which may differ from the backend's (LM Studio's key for a file on disk).
      const loaded = {handle: {...handle, key}, backend};
      this.loaded.set(key, loaded);
      this.failedLoads.delete(key);
      this.store.setModelStatus(key, {state: 'loaded'});
      this.options.log.event('load', {model: key, ms: Date.now() - started, contextLength: handle.contextLength});
      return loaded;
    } catch (error) {
      this.onLoadFailed(key, error);
      throw error;
    } finally {
      this.inFlight = null;
    }
  }

  private onLoadFailed(key: string, error: unknown): void {
    const reason = errorMessage(error);
    if (error instanceof ModelError && error.kind === 'aborted') {
      this.store.setModelStatus(key, {state: 'unloaded'});
      return;
    }
    this.failedLoads.set(key, (this.options.now ?? Date.now)());
    this.options.log.error('load-failed', error, {model: key, kind: error instanceof ModelError ? error.kind : 'error'});
    this.store.setModelStatus(key, {state: 'failed', reason});
    if (error instanceof ModelError && error.kind === 'unusable') {
      this.store.setModelEntries(this.entries().map((entry) => (entry.key === key ? {...entry, unusable: reason} : entry)));
    }
  }

  private async unloadKey(key: string): Promise<void> {
    const loaded = this.loaded.get(key);
    if (!loaded) return;
    this.loaded.delete(key);
    if (this.currentKey === key) this.currentKey = null;
    this.store.setModelStatus(key, {state: 'unloaded'});
    if (loaded.handle.ownedByMai) await loaded.backend.unload(loaded.handle);
    this.options.log.event('unload', {model: key});
  }

  /** A loaded model whose engine died (or whose backend went away): forget it so the next request loads again. */
  forgetLost(handle: ModelHandle, error: ModelError): void {
    // Found by id: the backend's handle may carry the backend's key rather than the catalogue's.
    const key = [...this.loaded.entries()].find(([, loaded]) => loaded.handle.id === handle.id)?.[0];
    if (key === undefined) return;
    this.loaded.delete(key);
    if (this.currentKey === key) {
      this.currentKey = null;
      // The panel must not keep ● on a model that is no longer running.
      this.store.setCurrentModel(null);
    }
    // A backend that went away says nothing about the model: it is unloaded, not broken.
    this.store.setModelStatus(key, error.kind === 'backend-gone' ? {state: 'unloaded'} : {state: 'failed', reason: error.message});
    this.options.log.error('model-lost', error, {model: key});
  }

  /** The next (+1) or previous (-1) usable model in the panel's order. */
  cycle(direction: 1 | -1): Promise<SwitchOutcome> | null {
    const from = this.requested?.key ?? this.inFlight?.key ?? this.currentKey;
    const key = cycleModel(this.entries(), from, direction);
    if (!key || key === from) return null;
    return this.switchTo(key, direction === 1 ? 'next model (Ctrl+N)' : 'previous model (Ctrl+P)');
  }

  /**
   * The current model, choosing and loading the best one when there is none. A model that fails
   * to load is skipped for the next best, so a broken file costs one attempt, not the answer.
   */
  async ensureCurrent(): Promise<Loaded> {
    await this.ensureCatalog();
    await this.idle();
    // A model that failed to load a moment ago is not tried again on its own (no retry storm); the
    // user can still pick it.
    const now = (this.options.now ?? Date.now)();
    const failed = new Set([...this.failedLoads].filter(([, at]) => now - at < LOAD_RETRY_AFTER_MS).map(([key]) => key));
    for (;;) {
      const current = this.current();
      if (current) return current;
      const selection = selectBestModel({
        entries: this.entries(),
        preferredKey: this.preferredKey,
        exclude: failed,
        availableBytes: await this.options.availableMemory(),
      });
      if (!selection) {
        const reasons = [...failed].map((key) => `${key}: ${this.failureOf(key)}`).join('; ');
        throw new ModelError('not-found', reasons ? `no model could be loaded (${reasons})` : 'no models found', undefined);
      }
      try {
        await this.switchTo(selection.key, selection.reason);
      } catch (error) {
        if (error instanceof ModelError && error.kind === 'aborted') throw error;
        failed.add(selection.key);
        this.store.notify(`${selection.key} could not be loaded: ${errorMessage(error)}`, 'warn');
      }
    }
  }

  private failureOf(key: string): string {
    const status = this.store.models.status[key];
    return status?.state === 'failed' ? status.reason : 'failed';
  }

  /**
   * A reply from the current model. An engine that dies before writing anything is retried and
   * then replaced by the next best model; once text has streamed the failure is the caller's to
   * show, with the text kept.
   */
  async respond(prompt: readonly ChatMessage[] | PromptFor, options: RespondOptions = {}): Promise<ManagedResponse> {
    let attempts = 0;
    for (;;) {
      const current = await this.ensureCurrent();
      const {handle, backend} = current;
      let wrote = false;
      try {
        const built = typeof prompt === 'function' ? await prompt(current) : {messages: prompt};
        const result = await backend.respond(handle, built.messages, {
          ...options,
          ...(built.maxTokens === undefined ? {} : {maxTokens: built.maxTokens}),
          onText: (text) => {
            wrote = true;
            options.onText?.(text);
          },
        });
        return {...result, modelKey: handle.key};
      } catch (error) {
        if (!(error instanceof ModelError) || error.kind === 'aborted') throw error;
        this.forgetLost(handle, error);
        if (wrote || options.signal?.aborted) throw error;
        attempts += 1;
        if (attempts > this.options.retries) {
          if (error.kind === 'backend-gone') {
            // The backend may come back (LM Studio reconnects): leave the model out for a while.
            this.failedLoads.set(handle.key, (this.options.now ?? Date.now)());
          } else {
            this.store.setModelEntries(
              this.entries().map((entry) => (entry.key === handle.key ? {...entry, unusable: error.message} : entry)),
            );
          }
          attempts = 0;
        }
        this.store.notify(`${handle.key} failed (${error.message}); trying again`, 'warn');
      }
    }
  }

  countTokens(text: string): Promise<number> {
    const current = this.current();
    if (!current) return Promise.resolve(0);
    return current.backend.countTokens(current.handle, text);
  }

  /** The loaded model with the smallest memory estimate (it writes summaries), or null. */
  smallestLoaded(): LoadedModel | null {
    let best: {loaded: LoadedModel; bytes: number} | null = null;
    for (const loaded of this.loaded.values()) {
      const bytes = this.entries().find((entry) => entry.key === loaded.handle.key)?.estimateBytes ?? Infinity;
      if (!best || bytes < best.bytes) best = {loaded, bytes};
    }
    return best?.loaded ?? null;
  }

  loadedHandles(): ModelHandle[] {
    return [...this.loaded.values()].map((loaded) => loaded.handle);
  }

  /** Cancels any switch and unloads every model mai loaded. Idempotent. */
  async shutdown(): Promise<void> {
    this.requested?.resolve('superseded');
    this.requested = null;
    this.inFlight?.controller.abort();
    await this.idle().catch(() => undefined);
    for (const key of [...this.loaded.keys()]) await this.unloadKey(key).catch(() => undefined);
  }
}
