import type {EventLog} from '../util/log.js';
import type {MaiStore, ModelEntry, SwitchKind} from '../store.js';
import type {ChatMessage} from '../domain.js';
import type {ModelBackend, ModelHandle} from '../backends/backend.js';
import {buildEntries, contextFor, listAllModels, toEntry, type CatalogContext, type ModelSettings} from './catalog.js';
import type {EstimateCorrections} from './estimate-corrections.js';
import {errorMessage, ModelError} from '../backends/model-error.js';
import {fitsInMemory, gib} from './estimate.js';
import {cycleModel, selectBestModel} from './select.js';
import type {AvailableMemory} from './policy/fit.js';
import {ManagedReply, type ManagedRespondOptions, type ManagedResponse, type PromptFor, type ReplySettings} from './managed-reply.js';

// Which model runs: loading and unloading, switching one at a time, preloading, giving memory back,
// and answering with recovery (managed-reply.ts). It carries out decisions; what to decide is the
// pure policy's (policy/), asked by the Autopilot (autopilot.ts) and the reply's recovery.

export type ModelManagerOptions = Omit<ReplySettings, 'store' | 'log'> & {
  readonly backends: readonly ModelBackend[];
  readonly store: MaiStore;
  readonly log: EventLog;
  /** Memory available now: RAM, and VRAM on a machine with a GPU. */
  readonly availableMemory: () => Promise<AvailableMemory>;
  readonly settingsFor: (key: string) => ModelSettings | undefined;
  readonly contextLength: number;
  readonly headroomBytes: number;
  /** Called when no usable model exists anywhere; resolves true if it created some (demo models). */
  readonly onNoModels?: () => Promise<boolean>;
  /**
   * Called when a switch has loaded its target, before it becomes current: the conversation is
   * transferred to it (re-counted with its tokenizer, re-fitted to its window). A failure is
   * logged and does not stop the switch: the next prompt is fitted anyway.
   */
  readonly onSwitch?: (target: LoadedModel, from: string | null, reason: string) => Promise<void>;
  /** A pinned model that cannot be used fails the request instead of falling back (`--strict`). */
  readonly strict?: boolean;
  /** What earlier loads measured: estimates are corrected by it, and each load adds to it. */
  readonly corrections?: EstimateCorrections;
  readonly now?: () => number;
};

export type LoadedModel = {readonly handle: ModelHandle; readonly backend: ModelBackend};
type Loaded = LoadedModel;

export type {ManagedResponse, PromptFor};

export type SwitchOutcome = 'switched' | 'already-current' | 'superseded';

/** A model asked for (pinned, or answering) that could not be used, and the one used instead. */
export type FallbackRecord = {readonly from: string; readonly to: string | null; readonly reason: string; readonly at: number};

type SwitchRequest = {
  readonly key: string;
  readonly reason: string;
  readonly kind: SwitchKind;
  /** The model this switch replaces when it is gone already (its engine died, its backend left). */
  readonly replacing: string | null;
  readonly decidedAt: number;
  readonly resolve: (outcome: SwitchOutcome) => void;
  readonly reject: (error: Error) => void;
};

/** How long a model that failed to load is left out of automatic selection. */
const LOAD_RETRY_AFTER_MS = 60_000;

export class ModelManager {
  private readonly loaded = new Map<string, Loaded>();
  private currentKey: string | null = null;
  /** A soft preference (the conversation's last model on resume): used when it fits. */
  private preferredKey: string | null = null;
  private requested: SwitchRequest | null = null;
  private inFlight: {key: string; controller: AbortController} | null = null;
  private worker: Promise<void> | null = null;
  private catalogReady: Promise<void> | null = null;
  /** When each model last failed to load. */
  private readonly failedLoads = new Map<string, number>();
  /** The model loading or loaded ahead of a predicted switch (not current). */
  private preloading: {readonly key: string; readonly controller: AbortController; readonly done: Promise<void>} | null = null;
  /** Measured load times, for the cost of a switch. */
  private readonly loadMs = new Map<string, number>();
  private readonly fallbackListeners = new Set<(record: FallbackRecord) => void>();
  /** The reply in progress: an automatic switch in the middle of it goes through it. */
  private reply: ManagedReply | null = null;
  /** When each model struggled lately (complexity counts it; the panel may show it). */
  private readonly struggles = new Map<string, number[]>();

  constructor(private readonly options: ModelManagerOptions) {}

  private get store() {
    return this.options.store.getState();
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  entries(): readonly ModelEntry[] {
    return this.store.models.entries;
  }

  current(): Loaded | null {
    return this.currentKey ? (this.loaded.get(this.currentKey) ?? null) : null;
  }

  currentEntry(): ModelEntry | null {
    return this.entries().find((entry) => entry.key === this.currentKey) ?? null;
  }

  availableMemory(): Promise<AvailableMemory> {
    return this.options.availableMemory();
  }

  /** A pinned model that cannot be used fails the request (`--strict`). */
  get strict(): boolean {
    return this.options.strict === true;
  }

  get headroomBytes(): number {
    return this.options.headroomBytes;
  }

  preferred(): string | null {
    return this.store.models.pinnedKey ?? this.preferredKey;
  }

  /** The model to use when it fits without being pinned (a resumed conversation's last), if any. */
  softPreference(): string | null {
    return this.preferredKey;
  }

  /** A model to use when it fits, without pinning it (the resumed conversation's last model). */
  setPreferred(key: string | null): void {
    this.preferredKey = key;
  }

  /** Pins `key` (`--model`, `mai switch`, a manual switch): kept until unpinned; null unpins. */
  setPinned(key: string | null): void {
    this.store.setAutoSwitch(this.store.models.autoSwitch, key);
    this.options.log.event('pin', {model: key});
  }

  /** Automatic switching on or off (Ctrl+A, `--no-auto-switch`); turning it on unpins. */
  setAutoSwitch(on: boolean): void {
    this.store.setAutoSwitch(on, on ? null : this.store.models.pinnedKey);
    this.options.log.event('auto-switch', {on});
  }

  /** Whether mai may switch by itself now: on, and nothing pinned. */
  canSwitchByItself(): boolean {
    const {autoSwitch, pinnedKey} = this.store.models;
    return autoSwitch && pinnedKey === null;
  }

  onFallback(listener: (record: FallbackRecord) => void): () => void {
    this.fallbackListeners.add(listener);
    return () => this.fallbackListeners.delete(listener);
  }

  /** A model asked for could not be used: one line for the user, the log, and `ask --json`. */
  recordFallback(from: string, to: string | null, reason: string): void {
    const record = {from, to, reason, at: this.now()};
    this.options.log.event('fallback', record);
    for (const listener of this.fallbackListeners) listener(record);
  }

  recordStruggle(key: string): void {
    const times = this.struggles.get(key) ?? [];
    times.push(this.now());
    this.struggles.set(key, times.slice(-10));
  }

  /** Struggles of any model in the last `windowMs`. */
  recentStruggles(windowMs: number): number {
    const since = this.now() - windowMs;
    let count = 0;
    for (const times of this.struggles.values()) count += times.filter((at) => at >= since).length;
    return count;
  }

  measuredLoadMs(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.loadMs);
  }

  /** Lists every backend and publishes the catalogue; forges demo models when there is nothing. */
  async refreshCatalog(): Promise<readonly ModelEntry[]> {
    const {backends, onNoModels, log, settingsFor} = this.options;
    let listed = await listAllModels(backends, settingsFor);
    if (!listed.infos.some((info) => !info.unusable) && onNoModels && (await onNoModels())) {
      listed = await listAllModels(backends, settingsFor);
    }
    for (const problem of listed.problems) log.warn('catalog-problem', {problem});
    const entries = buildEntries(listed.infos, await this.catalogContext());
    this.store.setModelEntries(entries);
    for (const entry of entries) {
      if (entry.unusable) this.store.setModelStatus(entry.key, {state: 'failed', reason: entry.unusable});
    }
    return entries;
  }

  /** What a catalogue entry is computed with: settings, memory free now, learned corrections. */
  private async catalogContext(): Promise<CatalogContext> {
    const memory = await this.options.availableMemory();
    const {corrections} = this.options;
    return {
      ...this.options,
      availableBytes: memory.ramBytes,
      ...(memory.vramBytes === undefined ? {} : {availableVramBytes: memory.vramBytes}),
      ...(memory.hosts ? {hosts: memory.hosts} : {}),
      ...(corrections
        ? {correctionFor: corrections.factorFor, engineProcessBytes: corrections.engineProcessBytes(), gpuLayersFor: corrections.gpuLayersFor}
        : {}),
    };
  }

  /**
   * Learns from a load what the model really takes (once it is resident), then re-estimates every
   * entry: in the background, a load never waits for it.
   */
  private learnFrom(entry: ModelEntry, loaded: Loaded): void {
    const {corrections, log} = this.options;
    if (!corrections || !loaded.backend.measureLoad) return;
    loaded.backend
      .measureLoad(loaded.handle)
      .then(async (measured) => {
        if (!measured) return;
        const factor = await corrections.recordLoad(entry, measured);
        log.event('estimate-learned', {model: entry.key, estimateBytes: entry.estimateBytes, residentBytes: measured.residentBytes, baselineBytes: measured.baselineBytes, factor});
        const context = await this.catalogContext();
        this.store.setModelEntries(this.entries().map((known) => toEntry(known, context)));
      })
      .catch((error: unknown) => log.error('estimate-learning-failed', error, {model: entry.key}));
  }

  /** Resolves once the catalogue has been listed at least once. */
  ensureCatalog(): Promise<void> {
    this.catalogReady ??= this.refreshCatalog().then(() => undefined);
    return this.catalogReady;
  }

  /** Resolves once no switch is queued or running. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Whether a switch is queued or running. */
  switching(): boolean {
    return this.worker !== null;
  }

  /**
   * Makes `key` the current model. One switch runs at a time; a newer request supersedes a queued
   * one and cancels a load still in progress, so Ctrl+N pressed three times loads one model.
   */
  switchTo(key: string, reason: string, kind: SwitchKind = 'manual', replacing: string | null = null): Promise<SwitchOutcome> {
    return new Promise<SwitchOutcome>((resolve, reject) => {
      this.requested?.resolve('superseded');
      this.requested = {key, reason, kind, replacing, decidedAt: this.now(), resolve, reject};
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
        request.resolve(await this.performSwitch(request));
      } catch (error) {
        if (error instanceof ModelError && error.kind === 'aborted' && this.requested) request.resolve('superseded');
        else request.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private async performSwitch({key, reason, kind, replacing, decidedAt}: SwitchRequest): Promise<SwitchOutcome> {
    if (key === this.currentKey && this.loaded.has(key)) return 'already-current';
    const entry = this.entries().find((candidate) => candidate.key === key);
    if (!entry) throw new ModelError('not-found', `no model named ${key}`, key);
    if (entry.unusable) throw new ModelError('unusable', entry.unusable, key);
    const backend = this.options.backends.find((candidate) => candidate.id === entry.backendId);
    if (!backend) throw new ModelError('not-found', `the backend of ${key} is not available`, key);
    const previous = this.current();
    const {log, headroomBytes} = this.options;

    // A preload of this very model is waited for; a preload of another gives way to the switch.
    if (this.preloading?.key === key) await this.preloading.done;
    else this.cancelPreload('a switch to another model');
    let target = this.loaded.get(key);
    if (!target) {
      const available = (await this.options.availableMemory()).ramBytes;
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
    const from = this.currentKey ?? replacing;
    if (this.options.onSwitch) {
      await this.options.onSwitch(target, from, reason).catch((error: unknown) => log.error('context-transfer-failed', error, {model: key}));
    }
    this.currentKey = key;
    const ms = Math.max(0, this.now() - decidedAt);
    this.store.setCurrentModel(key, {from, to: key, reason, at: this.now(), kind, ms});
    log.event('switch', {from, to: key, reason, kind, ms});
    // The old model goes in the background: the reply waiting for this switch need not wait for it
    // (30-45 ms measured on the demo models), and it leaves the loaded set at once.
    if (previous && previous.handle.key !== key && previous.handle.ownedByMai) {
      const old = previous.handle.key;
      this.unloadKey(old).catch((error: unknown) => log.error('unload-failed', error, {model: old}));
    }
    return 'switched';
  }

  private async load(entry: ModelEntry, backend: ModelBackend, controller = new AbortController()): Promise<Loaded> {
    const {key} = entry;
    this.inFlight = {key, controller};
    this.store.setModelStatus(key, {state: 'loading', progress: 0});
    const started = this.now();
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
      const ms = this.now() - started;
      this.loadMs.set(key, ms);
      this.store.setModelStatus(key, {state: 'loaded'});
      this.options.log.event('load', {model: key, ms, contextLength: handle.contextLength});
      this.learnFrom(entry, loaded);
      return loaded;
    } catch (error) {
      this.onLoadFailed(key, error);
      throw error;
    } finally {
      if (this.inFlight?.controller === controller) this.inFlight = null;
    }
  }

  private onLoadFailed(key: string, error: unknown): void {
    const reason = errorMessage(error);
    if (error instanceof ModelError && error.kind === 'aborted') {
      this.store.setModelStatus(key, {state: 'unloaded'});
      return;
    }
    this.failedLoads.set(key, this.now());
    this.options.log.error('load-failed', error, {model: key, kind: error instanceof ModelError ? error.kind : 'error'});
    this.store.setModelStatus(key, {state: 'failed', reason});
    if (error instanceof ModelError && error.kind === 'unusable') this.markUnusable(key, reason);
  }

  /** A model that can never work (corrupt, crashed its engine): never tried again on its own. */
  markUnusable(key: string, reason: string): void {
    this.store.setModelEntries(this.entries().map((entry) => (entry.key === key ? {...entry, unusable: reason} : entry)));
  }

  /** Left out of automatic selection for a while (it may come back: a backend that reconnects). */
  leaveOutForAWhile(key: string): void {
    this.failedLoads.set(key, this.now());
  }

  /** Models that failed a moment ago: not tried again on their own (no retry storm). */
  recentlyFailed(): Set<string> {
    const now = this.now();
    return new Set([...this.failedLoads].filter(([, at]) => now - at < LOAD_RETRY_AFTER_MS).map(([key]) => key));
  }

  private async unloadKey(key: string): Promise<void> {
    const loaded = this.loaded.get(key);
    if (!loaded) return;
    this.loaded.delete(key);
    if (this.currentKey === key) this.currentKey = null;
    if (this.preloading?.key === key) this.preloading = null;
    this.store.setModelStatus(key, {state: 'unloaded'});
    if (loaded.handle.ownedByMai) await loaded.backend.unload(loaded.handle);
    this.options.log.event('unload', {model: key});
  }

  /**
   * Loads `key` in the background without making it current, so that a predicted switch finds it
   * ready. Cancelled by `cancelPreload` or a switch to another model.
   */
  preload(key: string, reason: string): void {
    if (this.preloading?.key === key || this.loaded.has(key)) return;
    this.cancelPreload('another model is expected now');
    const entry = this.entries().find((candidate) => candidate.key === key);
    const backend = entry && this.options.backends.find((candidate) => candidate.id === entry.backendId);
    if (!entry || !backend || entry.unusable) return;
    const controller = new AbortController();
    const started = this.now();
    this.options.log.event('preload', {model: key, reason});
    const done = this.load(entry, backend, controller).then(
      () => this.options.log.event('preloaded', {model: key, ms: this.now() - started}),
      (error: unknown) => {
        if (this.preloading?.controller === controller) this.preloading = null;
        if (!(error instanceof ModelError && error.kind === 'aborted')) this.options.log.error('preload-failed', error, {model: key});
      },
    );
    this.preloading = {key, controller, done};
  }

  /** The model loading or held ahead of a predicted switch, if any. */
  preloadingKey(): string | null {
    return this.preloading?.key ?? null;
  }

  /** The prediction lapsed: stop the preload, or unload what it loaded. */
  cancelPreload(reason: string): void {
    const preloading = this.preloading;
    if (!preloading) return;
    this.preloading = null;
    preloading.controller.abort();
    this.options.log.event('preload-cancelled', {model: preloading.key, reason});
    if (preloading.key !== this.currentKey && this.loaded.has(preloading.key)) {
      this.unloadKey(preloading.key).catch((error: unknown) => this.options.log.error('unload-failed', error, {model: preloading.key}));
    }
  }

  /** Models mai loaded that are neither current nor being switched to: they hold memory for nothing. */
  idleKeys(): string[] {
    const busy = new Set([this.currentKey, this.requested?.key, this.inFlight?.key, this.preloading?.key]);
    return [...this.loaded.values()].filter(({handle}) => handle.ownedByMai && !busy.has(handle.key)).map(({handle}) => handle.key);
  }

  /** Under pressure, the first thing given back: what backends hold ahead of need (a spare engine). */
  releaseSpare(): boolean {
    let released = false;
    for (const backend of this.options.backends) released = (backend.releaseIdle?.() ?? false) || released;
    return released;
  }

  /** Pressure eased: backends may hold a spare engine again. */
  resumeSpare(): void {
    for (const backend of this.options.backends) backend.resumeIdle?.();
  }

  hasSpare(): boolean {
    return this.options.backends.some((backend) => backend.holdsIdle?.() === true);
  }

  async unloadIdle(keys: readonly string[]): Promise<void> {
    const idle = new Set(this.idleKeys());
    for (const key of keys) if (idle.has(key)) await this.unloadKey(key);
  }

  /** A loaded model whose engine died (or whose backend went away): forget it so the next request loads again. */
  forgetLost(handle: ModelHandle, error: ModelError): void {
    // Found by id: the backend's handle may carry the backend's key rather than the catalogue's.
    const key = [...this.loaded.entries()].find(([, loaded]) => loaded.handle.id === handle.id)?.[0];
    if (key === undefined) return;
    this.loaded.delete(key);
    if (this.preloading?.key === key) this.preloading = null;
    if (this.currentKey === key) {
      this.currentKey = null;
      // The panel must not keep ● on a model that is no longer running.
      this.store.setCurrentModel(null);
    }
    // A backend that went away says nothing about the model: it is unloaded, not broken.
    this.store.setModelStatus(key, error.kind === 'backend-gone' ? {state: 'unloaded'} : {state: 'failed', reason: error.message});
    this.options.log.error('model-lost', error, {model: key});
  }

  /**
   * The next (+1) or previous (-1) usable model in the panel's order, pinned: the user chose it, so
   * mai does not switch away from it by itself (Ctrl+A hands the choice back).
   */
  cycle(direction: 1 | -1): Promise<SwitchOutcome> | null {
    const from = this.requested?.key ?? this.inFlight?.key ?? this.currentKey;
    const key = cycleModel(this.entries(), from, direction);
    if (!key || key === from) return null;
    this.store.setAutoSwitch(this.store.models.autoSwitch, key);
    return this.switchTo(key, direction === 1 ? 'next model (Ctrl+N)' : 'previous model (Ctrl+P)');
  }

  /**
   * The current model, choosing and loading one when there is none: the pinned model when it can
   * run, else the preferred, else the largest tier that fits. A model that fails to load is
   * skipped for the next best, so a broken file costs one attempt, not the answer.
   */
  async ensureCurrent(): Promise<Loaded> {
    await this.ensureCatalog();
    await this.idle();
    const failed = this.recentlyFailed();
    const pinned = this.store.models.pinnedKey;
    for (;;) {
      const current = this.current();
      if (current) return current;
      const selection = selectBestModel({
        entries: this.entries(),
        preferredKey: this.preferred(),
        exclude: failed,
        availableBytes: (await this.options.availableMemory()).ramBytes,
      });
      if (!selection) {
        const reasons = [...failed].map((key) => `${key}: ${this.failureOf(key)}`).join('; ');
        throw new ModelError('not-found', reasons ? `no model could be loaded (${reasons})` : 'no models found', undefined);
      }
      // The load's reason is what the status bar keeps saying: it tells why the pinned model is not the one loaded.
      const reason = pinned && selection.key !== pinned ? `${this.pinnedUnusable(pinned, selection.key, failed)}; ${selection.reason}` : selection.reason;
      try {
        await this.switchTo(selection.key, reason, 'start');
      } catch (error) {
        if (error instanceof ModelError && error.kind === 'aborted') throw error;
        failed.add(selection.key);
        this.store.notify(`${selection.key} could not be loaded: ${errorMessage(error)}`, 'warn');
        if (selection.key === pinned) this.pinnedUnusable(pinned, null, failed);
      }
    }
  }

  /**
   * The pinned model cannot be used: said once per reason; with `--strict` the request fails.
   * Returns "<pinned> can't be used: <why>".
   */
  private pinnedUnusable(pinned: string, instead: string | null, failed: ReadonlySet<string>): string {
    const entry = this.entries().find((candidate) => candidate.key === pinned);
    const why = !entry
      ? 'no model by that name'
      : entry.unusable
        ? entry.unusable
        : failed.has(pinned)
          ? this.failureOf(pinned)
          : `needs about ${gib(entry.estimateBytes).toFixed(1)} GiB, more than is free`;
    const said = `${pinned} can't be used: ${why}`;
    if (this.options.strict) throw new ModelError(entry?.unusable ? 'unusable' : 'not-found', said, pinned);
    if (instead !== null) this.recordFallback(pinned, instead, why);
    return said;
  }

  private failureOf(key: string): string {
    const status = this.store.models.status[key];
    return status?.state === 'failed' ? status.reason : 'failed';
  }

  /**
   * A reply, with recovery: a model that fails is retried or replaced down its fallback chain; one
   * that struggles, or that memory pressure takes away, is switched mid-reply and the next model
   * goes on from the text so far (managed-reply.ts).
   */
  async respond(prompt: readonly ChatMessage[] | PromptFor, options: ManagedRespondOptions = {}): Promise<ManagedResponse> {
    const reply = new ManagedReply(this, this.options, typeof prompt === 'function' ? prompt : async () => ({messages: prompt}), options);
    this.reply = reply;
    try {
      return await reply.run();
    } finally {
      if (this.reply === reply) this.reply = null;
    }
  }

  /**
   * Switches to `key` in the middle of the reply being written (pressure), which goes on on it;
   * false when no reply is running (the caller switches directly).
   */
  switchMidReply(key: string, reason: string, kind: SwitchKind): boolean {
    return this.reply?.switchTo(key, reason, kind) ?? false;
  }

  replying(): boolean {
    return this.reply !== null;
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

  loadedKeys(): Set<string> {
    return new Set(this.loaded.keys());
  }

  /** Cancels any switch and preload and unloads every model mai loaded. Idempotent. */
  async shutdown(): Promise<void> {
    this.requested?.resolve('superseded');
    this.requested = null;
    this.inFlight?.controller.abort();
    this.cancelPreload('mai is shutting down');
    await this.idle().catch(() => undefined);
    for (const key of [...this.loaded.keys()]) await this.unloadKey(key).catch(() => undefined);
  }
}
