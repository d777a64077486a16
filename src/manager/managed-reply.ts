import type {Config, StruggleLimits} from '../config/types.js';
import type {ChatMessage} from '../domain.js';
import type {RespondOptions, ResponseResult} from '../backends/backend.js';
import {ModelError} from '../backends/model-error.js';
import type {EventLog} from '../util/log.js';
import type {MaiStore, SwitchKind} from '../store.js';
import {classifyFailure, shouldRetry} from './policy/failures.js';
import {nextInChain} from './policy/fallback-chain.js';
import {createStruggleWatch, type StruggleWatch} from './policy/struggle.js';
import type {AvailableMemory} from './policy/fit.js';
import type {LoadedModel, ModelManager} from './model-manager.js';

// One reply through the ModelManager, recovered from whatever happens to its model (DESIGN.md §5):
// a failure is retried (when its kind is worth it) and then goes down the fallback chain; a model
// that struggles (no first token in time, too slow, repeating itself) or that memory pressure
// takes away is switched in the middle of the reply. The next model goes on from the text so far
// where its backend can (`continuesReplies`); elsewhere the reply starts again and the cut one
// stays, marked (`onRestart`).

export type ReplySettings = {
  readonly retries: number;
  readonly fallbackChains: Config['fallbackChains'];
  /** null: replies are never judged (tests of other things, or a user who wants none of it). */
  readonly struggle: StruggleLimits | null;
  readonly store: MaiStore;
  readonly log: EventLog;
};

/** The prompt for the model that will answer (a switch can change which one that is). */
export type PromptFor = (target: LoadedModel) => Promise<{readonly messages: readonly ChatMessage[]; readonly maxTokens?: number}>;

export type ManagedRespondOptions = RespondOptions & {
  /**
   * The reply starts again on another model whose backend cannot go on from the text so far: what
   * was written stays as it is, marked, and the new reply streams after it.
   */
  readonly onRestart?: (reason: string) => void;
};

export type ManagedResponse = ResponseResult & {readonly modelKey: string};

type PendingSwitch = {readonly key: string; readonly reason: string; readonly kind: SwitchKind; readonly replacing?: string};

/** How often a reply is judged while no text arrives (a model that stops writing never calls onText). */
const STRUGGLE_CHECK_MS = 250;

export class ManagedReply {
  /** The whole reply so far, across every model that wrote part of it. */
  private text = '';
  private pending: PendingSwitch | null = null;
  private interrupt: AbortController | null = null;
  /** Models that failed or struggled during this reply: not chosen again for it. */
  private readonly excluded = new Set<string>();
  private finished = false;
  /** Memory free at the start of the latest attempt: what a switch decided mid-stream fits into. */
  private memory: AvailableMemory = {ramBytes: 0};

  constructor(
    private readonly manager: ModelManager,
    private readonly settings: ReplySettings,
    private readonly prompt: PromptFor,
    private readonly options: ManagedRespondOptions,
  ) {}

  /** Asks for a switch in the middle of this reply; false once the reply has ended. */
  switchTo(key: string, reason: string, kind: SwitchKind): boolean {
    if (this.finished) return false;
    this.pending = {key, reason, kind};
    this.interrupt?.abort();
    return true;
  }

  async run(): Promise<ManagedResponse> {
    try {
      return await this.attempts();
    } finally {
      this.finished = true;
    }
  }

  private async attempts(): Promise<ManagedResponse> {
    const {signal: userSignal} = this.options;
    let failures = 0;
    for (;;) {
      if (this.pending) await this.carryOutSwitch(this.pending);
      const current = await this.manager.ensureCurrent();
      this.memory = await this.manager.availableMemory();
      const {handle, backend} = current;
      const continueFrom = this.text && backend.continuesReplies ? this.text : undefined;
      if (this.text && !continueFrom) {
        this.options.onRestart?.(`${handle.key} cannot go on from another model's text: the reply starts again`);
        this.text = '';
      }
      const interrupt = new AbortController();
      this.interrupt = interrupt;
      const signal = userSignal ? AbortSignal.any([userSignal, interrupt.signal]) : interrupt.signal;
      const watch = this.settings.struggle ? createStruggleWatch(this.settings.struggle, this.manager.now()) : null;
      const timer = watch ? setInterval(() => this.judge(watch, current), STRUGGLE_CHECK_MS) : undefined;
      let wrote = false;
      try {
        const built = await this.prompt(current);
        const result = await backend.respond(handle, built.messages, {
          ...this.options,
          signal,
          ...(built.maxTokens === undefined ? {} : {maxTokens: built.maxTokens}),
          ...(continueFrom ? {continueFrom} : {}),
          onText: (chunk) => {
            wrote = true;
            this.text += chunk;
            this.options.onText?.(chunk);
            if (watch) {
              watch.onText(chunk, this.manager.now());
              this.judge(watch, current);
            }
          },
        });
        // Stopped by a switch (struggle, pressure), not by the user: go on on the next model.
        if (result.stats.stopReason === 'aborted' && interrupt.signal.aborted && !userSignal?.aborted && this.pending) continue;
        return {...result, text: continueFrom ? this.text : result.text || this.text, modelKey: handle.key};
      } catch (error) {
        if (!(error instanceof ModelError) || error.kind === 'aborted' || userSignal?.aborted) throw error;
        this.manager.forgetLost(handle, error);
        failures += 1;
        const failure = classifyFailure(error.kind);
        if (!wrote && !this.text && shouldRetry(error.kind, failures, this.settings.retries)) {
          this.settings.store.getState().notify(`${handle.key} failed (${error.message}); trying again`, 'warn');
          this.settings.log.event('retry', {model: handle.key, attempt: failures, kind: error.kind, reason: failure.label});
          this.pending = {key: handle.key, reason: `trying ${handle.key} again after: ${failure.label}`, kind: 'fallback', replacing: handle.key};
          continue;
        }
        failures = 0;
        if (failure.neverRetry) this.manager.markUnusable(handle.key, error.message);
        else if (error.kind === 'backend-gone') this.manager.leaveOutForAWhile(handle.key);
        this.excluded.add(handle.key);
        this.memory = await this.manager.availableMemory();
        const next = this.nextAfter(handle.key, `${failure.label} (${error.message})`);
        this.manager.recordFallback(handle.key, next.key, `${failure.label}: ${error.message}`);
        if (!next.key) throw error;
        this.settings.store.getState().notify(next.reason, 'warn');
        this.pending = {key: next.key, reason: next.reason, kind: 'fallback', replacing: handle.key};
      } finally {
        clearInterval(timer);
        if (this.interrupt === interrupt) this.interrupt = null;
      }
    }
  }

  private async carryOutSwitch(pending: PendingSwitch): Promise<void> {
    this.pending = null;
    const current = this.manager.current();
    if (current?.handle.key === pending.key) return;
    await this.manager.switchTo(pending.key, pending.reason, pending.kind, pending.replacing ?? null);
  }

  /** The model struggles: the reply goes on on the next model of its chain (when mai may switch by itself). */
  private judge(watch: StruggleWatch, current: LoadedModel): void {
    if (this.pending || this.interrupt?.signal.aborted) return;
    const struggle = watch.check(this.manager.now());
    if (!struggle) return;
    const key = current.handle.key;
    this.manager.recordStruggle(key);
    this.settings.log.event('struggle', {model: key, kind: struggle.kind, reason: struggle.reason});
    if (!this.manager.canSwitchByItself()) return;
    this.excluded.add(key);
    const next = this.nextAfter(key, struggle.reason);
    if (!next.key) {
      // Nothing else can take over: this model goes on, slow or not, rather than no answer at all.
      this.settings.log.event('struggle-no-fallback', {model: key, reason: next.reason});
      return;
    }
    this.settings.store.getState().notify(next.reason, 'warn');
    this.pending = {key: next.key, reason: next.reason, kind: 'struggle'};
    this.interrupt?.abort();
  }

  private nextAfter(key: string, why: string): {readonly key: string | null; readonly reason: string} {
    const entries = this.manager.entries();
    const from = entries.find((entry) => entry.key === key);
    if (!from) return {key: null, reason: `${key}: ${why}`};
    return nextInChain({
      entries,
      from,
      chains: this.settings.fallbackChains,
      excluded: new Set([...this.excluded, ...this.manager.recentlyFailed()]),
      memory: this.memory,
      headroomBytes: this.manager.headroomBytes,
      loadedKeys: this.manager.loadedKeys(),
      why,
    });
  }
}
