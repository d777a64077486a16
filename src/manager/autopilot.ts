import type {Config} from '../config/types.js';
import {START_REASON, type Tier} from '../domain.js';
import type {EventLog} from '../util/log.js';
import {errorMessage, isModelError} from '../backends/model-error.js';
import {LOCAL_HOST, type HostResources, type MaiStore} from '../store.js';
import {scoreComplexity, tierForScore} from './policy/complexity.js';
import {nextDegradeStep, type DegradeStepName} from './policy/degrade.js';
import {tierRank} from './policy/fit.js';
import {preloadDecision, usedTrend} from './policy/preload.js';
import {pressureAction, recoveredFrom, type PressureAction} from './policy/pressure-policy.js';
import {selectModel, type SelectionDecision} from './policy/selection.js';
import type {ModelManager} from './model-manager.js';

// mai switching by itself (DESIGN.md §5): before each reply the task picks the model; on each
// resource sample, memory pressure and the preload prediction. Every decision is a pure policy
// function's (policy/) with its reason; this class gathers their inputs and has the ModelManager
// carry the actions out, one at a time.

export type AutopilotOptions = {
  readonly manager: ModelManager;
  readonly store: MaiStore;
  readonly log: EventLog;
  readonly config: Config;
  readonly now?: () => number;
};

/** Complexity scores kept for the preload's trend. */
const SCORES_KEPT = 5;
/** Struggles this recent make the next message count as harder. */
const STRUGGLE_MEMORY_MS = 10 * 60_000;

export class Autopilot {
  private turn = 0;
  private wentUpAtTurn: number | null = null;
  /** The tier the conversation went up to (at wentUpAtTurn). */
  private wentUpTo: Tier | null = null;
  /** The start's choice and load, while it runs (see startModel). */
  private starting: Promise<void> | null = null;
  /** The model a resumed conversation goes on with; its tier is known once the catalogue is. */
  private resumedKey: string | null = null;
  private previousWantedTier: Tier | null = null;
  private wantedTier: Tier | null = null;
  private readonly scores: number[] = [];
  private lastStepAt: number | null = null;
  private startedAt = 0;
  private unsubscribe: (() => void) | null = null;
  /** One pressure or preload action at a time: a sample that comes during one is skipped. */
  private acting = false;
  private lastReason: string | null = null;

  constructor(private readonly options: AutopilotOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Follows every resource sample until stop. */
  start(): void {
    if (this.unsubscribe) return;
    this.startedAt = this.now();
    this.unsubscribe = this.options.store.subscribe((state, previous) => {
      const host = state.resources[LOCAL_HOST];
      if (host && host !== previous.resources[LOCAL_HOST] && host.sampledAt !== previous.resources[LOCAL_HOST]?.sampledAt) this.onSample(host);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /**
   * A resumed conversation goes on with the model that wrote its last reply: counted as the tier the
   * conversation went up to, so it stays for stay_up_turns unless a message asks for more.
   */
  continueWith(key: string | null): void {
    const entry = key === null ? undefined : this.options.manager.entries().find((candidate) => candidate.key === key);
    this.wentUpAtTurn = 0;
    this.wentUpTo = entry?.tier ?? null;
    this.resumedKey = key;
  }

  /**
   * The model to start with, before any message: the one a simple message would get (the first
   * message is most often one), so the chat is ready soon; a harder one switches up, preloaded
   * when the conversation's complexity rises. A pinned model, or a resumed conversation's last
   * model (when it fits), goes first.
   */
  startModel(): Promise<void> {
    // A first message waits for it: the start's switch and the message's must not race.
    this.starting ??= this.loadStartModel();
    return this.starting;
  }

  private async loadStartModel(): Promise<void> {
    const {manager} = this.options;
    if (manager.preferred() !== null) {
      await manager.ensureCurrent();
      return;
    }
    const decision = await this.startDecision();
    if (decision.key === null) {
      await manager.ensureCurrent();
      return;
    }
    await manager.switchTo(decision.key, decision.reason, 'start');
  }

  /** The model mai starts with and why (`mai status`), deciding nothing else. */
  async startDecision(): Promise<SelectionDecision> {
    const {manager, config} = this.options;
    await manager.ensureCatalog();
    const decision = await this.select(tierForScore(0, config.policy.complexity), 0);
    // The status bar says "loaded <key>: ready for a first message" (until that message is sent): the tier rule is the README's.
    return decision.action === 'degrade' || decision.key === null ? decision : {...decision, reason: START_REASON};
  }

  /**
   * Before a reply to `text`: the model the task asks for, among those that fit now. A switch
   * here is silent (panel, status bar, log); a pinned model that cannot run is reported as a
   * fallback by the ModelManager.
   */
  async beforeReply(text: string): Promise<void> {
    const {manager, config, log} = this.options;
    await this.starting?.catch(() => undefined);
    await manager.ensureCatalog();
    await manager.idle();
    // A resumed conversation starts on its model when it fits, before the task speaks (a pinned
    // model is the selection's first rule, and its fallback is reported there).
    if (!manager.current() && manager.softPreference() !== null) await manager.ensureCurrent().catch(() => undefined);
    this.turn += 1;
    if (this.resumedKey !== null && this.wentUpTo === null) {
      this.wentUpTo = manager.entries().find((entry) => entry.key === this.resumedKey)?.tier ?? null;
      if (this.wentUpTo === null) this.wentUpAtTurn = null;
    }
    const complexity = scoreComplexity(text, {depth: this.turn - 1, recentStruggles: manager.recentStruggles(STRUGGLE_MEMORY_MS)});
    const wanted = tierForScore(complexity.score, config.policy.complexity);
    this.scores.push(complexity.score);
    if (this.scores.length > SCORES_KEPT) this.scores.shift();
    const decision = await this.select(wanted, complexity.score);
    this.previousWantedTier = wanted;
    this.wantedTier = wanted;
    log.event('selection', {turn: this.turn, score: complexity.score, signals: complexity.signals, wanted, action: decision.action, key: decision.key, reason: decision.reason});
    if (decision.pinnedFailed) {
      // With --strict the reply itself fails on the pinned model (ModelManager.ensureCurrent).
      if (manager.strict) return;
      manager.recordFallback(decision.pinnedFailed.key, decision.key, decision.pinnedFailed.why);
    }
    if (decision.action === 'switch') {
      const from = manager.currentEntry();
      try {
        await manager.switchTo(decision.key, decision.reason, 'task');
      } catch (error) {
        // The reply goes on with the next best model (ModelManager.ensureCurrent); the user hears why.
        if (!isModelError(error, 'aborted')) this.options.store.getState().notify(`${decision.key} could not be loaded: ${errorMessage(error)}`, 'warn');
        return;
      }
      const to = manager.currentEntry();
      if (from && to && tierRank(to.tier) > tierRank(from.tier)) {
        this.wentUpAtTurn = this.turn;
        this.wentUpTo = to.tier;
      }
    } else if (decision.action === 'degrade') {
      await this.degrade(decision);
    }
  }

  private async select(wanted: Tier, score: number): Promise<SelectionDecision> {
    const {manager, config} = this.options;
    const {models, resources} = this.options.store.getState();
    // Under memory pressure a message never takes mai up a tier: the pressure policy decides when
    // memory allows it again (switch_up_after_ms of ok), whatever the free figure says now.
    const pressure = resources[LOCAL_HOST]?.pressure;
    const underPressure = pressure !== undefined && (pressure.ram !== 'ok' || pressure.vram !== 'ok');
    const current = manager.currentEntry();
    const excluded = manager.recentlyFailed();
    if (underPressure && current) {
      for (const entry of manager.entries()) if (tierRank(entry.tier) > tierRank(current.tier)) excluded.add(entry.key);
    }
    return selectModel({
      entries: manager.entries(),
      memory: await manager.availableMemory(),
      headroomBytes: manager.headroomBytes,
      loadedKeys: manager.loadedKeys(),
      currentKey: manager.current()?.handle.key ?? null,
      pinnedKey: models.pinnedKey,
      autoSwitch: models.autoSwitch,
      excluded,
      task: {wantedTier: wanted, score, previousWantedTier: this.previousWantedTier, turn: this.turn, wentUpAtTurn: this.wentUpAtTurn},
      rules: {stayUpTurns: config.policy.stayUpTurns, switchCostBudgetMs: config.policy.switchCostBudgetMs, thresholds: config.policy.complexity},
      loadMs: manager.measuredLoadMs(),
    });
  }

  /**
   * Nothing fits: in a fixed, explained order, wait briefly for memory, unload idle models, go to
   * a smaller tier, and at last say what would fit (the smallest model is then tried anyway).
   */
  private async degrade(decision: Extract<SelectionDecision, {action: 'degrade'}>): Promise<void> {
    const {manager, config, log, store} = this.options;
    const target = manager.entries().find((entry) => entry.key === decision.key);
    if (!target) return;
    const tried: DegradeStepName[] = ['shorter-context'];
    for (;;) {
      const memory = await manager.availableMemory();
      const step = nextDegradeStep({
        target,
        tried,
        entries: manager.entries(),
        memory,
        headroomBytes: manager.headroomBytes,
        loadedKeys: manager.loadedKeys(),
        excluded: manager.recentlyFailed(),
        idleKeys: manager.idleKeys(),
        memoryWaitMs: config.policy.memoryWaitMs,
      });
      if (!step) return;
      tried.push(step.step);
      log.event('degrade', {step: step.step, reason: step.reason});
      switch (step.step) {
        case 'wait-for-memory':
          await new Promise((resolve) => setTimeout(resolve, step.waitMs).unref());
          if ((await this.select(this.wantedTier ?? 'small', 0)).action !== 'degrade') return;
          break;
        case 'unload-idle':
          await manager.unloadIdle(step.keys);
          break;
        case 'smaller-tier':
          await manager.switchTo(step.key, step.reason, 'pressure');
          return;
        case 'explain':
          store.getState().notify(step.reason, 'warn');
          return;
        case 'shorter-context':
          // The context is fitted per model by the ContextManager; a shorter window is not yet a load option.
          break;
      }
    }
  }

  /**
   * The tier the conversation wants now: its last message's, or the tier it went up to while it
   * stays up (stay_up_turns), whichever is larger; pressure taking it down does not change it.
   */
  private conversationTier(): Tier | null {
    const staysUp = this.wentUpAtTurn !== null && this.turn - this.wentUpAtTurn < this.options.config.policy.stayUpTurns ? this.wentUpTo : null;
    if (!staysUp) return this.wantedTier;
    if (!this.wantedTier) return staysUp;
    return tierRank(staysUp) > tierRank(this.wantedTier) ? staysUp : this.wantedTier;
  }

  /** On each sample: relieve memory pressure, go back up when it has passed, preload what is likely next. */
  private onSample(host: HostResources): void {
    if (this.acting) return;
    this.acting = true;
    this.act(host)
      .catch((error: unknown) => this.options.log.error('autopilot', error))
      .finally(() => (this.acting = false));
  }

  private async act(host: HostResources): Promise<void> {
    const {manager, config, log} = this.options;
    if (!host.memory || manager.switching()) return;
    const memory = await manager.availableMemory();
    const current = manager.currentEntry();
    const loadedKeys = manager.loadedKeys();
    const canSwitch = manager.canSwitchByItself();
    const entries = manager.entries();
    const action = pressureAction({
      now: this.now(),
      levels: host.pressure,
      changes: host.pressureChanges,
      monitorStartedAt: this.startedAt,
      switchDownAfterMs: config.policy.switchDownAfterMs,
      switchUpAfterMs: config.policy.switchUpAfterMs,
      lastStepAt: this.lastStepAt,
      recovered: recoveredFrom(host.smoothed, config.policy.pressure),
      spareEngine: manager.hasSpare(),
      idleKeys: manager.idleKeys(),
      entries,
      memory,
      headroomBytes: manager.headroomBytes,
      loadedKeys,
      currentKey: current?.key ?? null,
      freedBySwitchBytes: current && !current.loadedBy ? current.estimateBytes : 0,
      wantedTier: this.conversationTier() ?? current?.tier ?? 'small',
      canSwitch,
      excluded: manager.recentlyFailed(),
    });
    if (action.action !== 'none') {
      await this.relieve(action);
      return;
    }
    if (action.reason !== this.lastReason && /critical/.test(action.reason)) log.event('pressure-wait', {reason: action.reason});
    this.lastReason = action.reason;
    if (host.pressure.ram === 'ok' && host.pressure.vram === 'ok') manager.resumeSpare();
    const preload = preloadDecision({
      enabled: config.policy.preload,
      canSwitch,
      levels: host.pressure,
      trend: {ram: usedTrend(host.ramHistory), vram: usedTrend(worstGpuHistory(host))},
      recentScores: this.scores,
      thresholds: config.policy.complexity,
      entries,
      memory,
      headroomBytes: manager.headroomBytes,
      loadedKeys,
      currentKey: current?.key ?? null,
      preloadingKey: manager.preloadingKey(),
      excluded: manager.recentlyFailed(),
    });
    if (preload.action === 'preload') manager.preload(preload.key, preload.reason);
    else if (preload.action === 'cancel') manager.cancelPreload(preload.reason);
  }

  private async relieve(action: Exclude<PressureAction, {action: 'none'}>): Promise<void> {
    const {manager, log, store} = this.options;
    this.lastStepAt = this.now();
    log.event('pressure-action', {...action});
    switch (action.action) {
      case 'release-spare':
        manager.releaseSpare();
        manager.cancelPreload('memory pressure');
        return;
      case 'unload-idle':
        manager.cancelPreload('memory pressure');
        await manager.unloadIdle(action.keys);
        return;
      case 'switch-down':
      case 'switch-up': {
        const kind = 'pressure';
        // Down in the middle of a reply: the reply goes on on the smaller model. Up never interrupts
        // a reply: it waits for the next sample after it.
        if (action.action === 'switch-up' && manager.replying()) return;
        if (action.action === 'switch-down' && manager.switchMidReply(action.key, action.reason, kind)) return;
        await manager.switchTo(action.key, action.reason, kind).catch((error: unknown) => {
          store.getState().notify(`${action.reason}: ${errorMessage(error)}`, 'warn');
        });
        return;
      }
    }
  }
}

/** Percent of VRAM in use over time of the GPU with the least free now. */
function worstGpuHistory(host: HostResources): readonly number[] {
  let worst: readonly number[] = [];
  for (const history of host.vramHistory) if ((history.at(-1) ?? 0) > (worst.at(-1) ?? -1)) worst = history;
  return worst;
}
