import {AsyncQueue} from './util/async-queue.js';
import type {MaiCommands, SavedConversation} from './commands.js';
import type {Config, MaiPaths} from './config.js';
import type {EventLog} from './util/log.js';
import {backendReports, maiStatus, type MaiStatus} from './mai-status.js';
import {loadMaiSetup, modelManagerSettings, type MaiOptions, type MaiSetup} from './mai-setup.js';
import type {ResponseStats} from './domain.js';
import type {BackendConnection, ConnectionStatus, ModelBackend} from './backends/backend.js';
import {ContextManager, contextTarget, type ReplyRecording, type SummaryModel} from './conversation/context-manager.js';
import type {ReplayedConversation} from './conversation/conversation-events.js';
import {ConversationFile, findConversation, listConversations} from './conversation/conversation-file.js';
import {errorMessage, isModelError} from './backends/model-error.js';
import {forgeDemoModels} from './backends/embedded/demo-models.js';
import {redoNotice, type RedoOutcome} from './conversation/redo-notice.js';
import {Autopilot} from './manager/autopilot.js';
import {ModelManager, type FallbackRecord, type SwitchOutcome} from './manager/model-manager.js';
import type {AvailableMemory} from './manager/policy/fit.js';
import {ResourceMonitor} from './monitor/resource-monitor.js';
import type {HostSetup} from './host-backends.js';
import {hostPool, hostReports, speedKey, type HostReport} from './host-status.js';
import {createMaiStore, LOCAL_HOST, type ChatEntry, type MaiStore, type ModelEntry, type SwitchRecord} from './store.js';

// The coordinator (DESIGN.md §6): the one object the TUI, the CLI and library users talk to. What
// it is built from (mai-setup.ts) and its status report (mai-status.ts) have files of their own;
// their types are part of Mai's API, so they are exported here too (src/index.ts, the CLI).

export type {BackendReport, LoadedModelStatus, MaiStatus} from './mai-status.js';
export type {HostModelReport, HostReport} from './host-status.js';
export type {MaiOptions} from './mai-setup.js';

/** A conversation continued from its file, and what could not be read in it. */
export type ResumedConversation = {
  readonly id: string;
  readonly messages: number;
  readonly warnings: readonly string[];
};

export type ReplyOptions = {readonly signal?: AbortSignal};

/** A turn done again: the message `from` and what follows are taken back first. */
type Redo = {readonly from: string; readonly reason: 'regenerate' | 'edit'};

export type Reply = {
  readonly text: string;
  readonly model: string;
  readonly stats: ResponseStats;
  readonly interrupted: boolean;
  /** The switches made while answering (by the task, pressure, a struggle or a failure), oldest first. */
  readonly switches: readonly SwitchRecord[];
  /** Models asked for or answering that could not be used, and the one used instead. */
  readonly fallbacks: readonly FallbackRecord[];
};

// A summary is notes, not prose: a low temperature keeps it to what was said.
const SUMMARY_TEMPERATURE = 0.2;
const SHUTDOWN_REPLY_WAIT_MS = 2000;

export class Mai implements MaiCommands {
  readonly store: MaiStore;
  readonly models: ModelManager;
  readonly context: ContextManager;
  private readonly autopilot: Autopilot;
  readonly resumed: ResumedConversation | null;
  private readonly monitor: ResourceMonitor;
  private replyController: AbortController | null = null;
  private replyDone: Promise<unknown> | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private quitListeners: (() => void)[] = [];

  readonly config: Config;
  readonly paths: MaiPaths;
  private readonly backends: readonly ModelBackend[];
  private readonly log: EventLog;
  /** The config's other machines (DESIGN.md §9), by priority. */
  readonly hosts: readonly HostSetup[];
  /** Said once per run (CLI: stderr; TUI: a notice): plain http to another machine, an unset key variable. */
  readonly warnings: readonly string[];
  /** Each model's last reply speed on each host (`host/model`). */
  private readonly speeds = new Map<string, number>();

  private constructor(setup: MaiSetup, options: MaiOptions) {
    const {config, paths, backends, log, preferredModel, resumed, corrections, hosts, warnings} = setup;
    this.hosts = hosts;
    this.warnings = warnings;
    this.config = config;
    this.paths = paths;
    this.backends = backends;
    this.log = log;
    this.store = options.store ?? createMaiStore();
    this.context = new ContextManager({
      store: this.store,
      log,
      settings: {...config.context, maxReplyTokens: config.engine.maxTokens},
      conversationsDir: options.saveConversation === false ? null : paths.conversationsDir,
      ...(resumed ? {resumed} : {}),
      summaryModel: () => this.summaryModel(),
    });
    this.resumed = resumed
      ? {id: resumed.file.id, messages: resumed.conversation.messages.length, warnings: resumed.conversation.warnings}
      : null;
    if (resumed) this.announceResume(resumed.file.id, resumed.conversation);
    this.monitor = new ResourceMonitor({
      store: this.store,
      intervalMs: config.policy.sampleIntervalMs,
      pressure: config.policy.pressure,
      log,
      ...(options.resourceSource ? {source: options.resourceSource} : {}),
      modelMemory: () => this.modelMemory(),
    });
    this.models = new ModelManager({
      backends,
      store: this.store,
      log,
      availableMemory: () => this.availableMemory(),
      ...modelManagerSettings(config),
      ...(options.strict ? {strict: true} : {}),
      corrections,
      ...(options.forgeDemoModels === false ? {} : {onNoModels: () => this.forgeDemos()}),
      onSwitch: async ({handle, backend}, from, reason) => {
        await this.context.transfer(contextTarget(backend, handle), from, reason);
      },
    });
    this.store.getState().setAutoSwitch(options.autoSwitch ?? true, preferredModel);
    this.store.getState().setKeyOverrides(config.keys);
    // A resumed conversation goes on with the model that wrote its last reply, when it fits.
    if (resumed) this.models.setPreferred(lastModelOf(resumed.conversation));
    this.autopilot = new Autopilot({manager: this.models, store: this.store, log, config});
    if (resumed) this.autopilot.continueWith(lastModelOf(resumed.conversation));
    for (const backend of backends) if (backend.connection) this.followConnection(backend, backend.connection);
    for (const warning of warnings) log.warn('host-warning', {message: warning});
    if (warnings.length > 0) this.store.getState().notify(warnings.join(' · '), 'warn');
  }

  /** The host a backend runs its models on (`local` for this machine's). */
  private hostOfBackend(backendId: string): string {
    return this.hosts.find((host) => host.backendId === backendId)?.name ?? LOCAL_HOST;
  }

  /** Every host (`local` first) with its state, latency and models (`mai hosts`, `mai status`). */
  hostReports(): HostReport[] {
    return hostReports(this.store.getState(), this.hosts, this.speeds);
  }

  /**
   * A backend in another program (LM Studio): its state goes to the store (the panel shows it);
   * coming or going refreshes the catalogue.
   */
  private followConnection(backend: ModelBackend, connection: BackendConnection): void {
    const publish = (status: ConnectionStatus) => {
      const previous = this.store.getState().backends[backend.id]?.state;
      this.store.getState().setBackendStatus({id: backend.id, kind: backend.kind, host: this.hostOfBackend(backend.id), ...status});
      if (previous === undefined || previous === 'checking' || previous === status.state) return;
      this.log.event('backend-state', {backend: backend.id, state: status.state, version: status.version, detail: status.detail});
      const was = previous === 'connected';
      const is = status.state === 'connected';
      if (was === is) return;
      const {name} = connection;
      if (was) this.store.getState().notify(`${name} went away; reconnecting in the background`, 'warn');
      else this.store.getState().notify(status.version ? `${name} ${status.version} connected` : `${name} connected`);
      this.models.refreshCatalog().catch((error: unknown) => this.log.error('catalog-refresh', error));
    };
    publish(connection.status());
    connection.onStatus(publish);
  }

  private announceResume(id: string, conversation: ReplayedConversation): void {
    const count = conversation.messages.length;
    this.log.event('conversation-resumed', {id, messages: count, warnings: conversation.warnings});
    const problems = conversation.warnings.length > 0 ? ` (${conversation.warnings.join('; ')})` : '';
    this.store.getState().notify(`resumed conversation ${id}: ${count} ${count === 1 ? 'message' : 'messages'}${problems}`, problems ? 'warn' : 'info');
  }

  /**
   * The smallest loaded model writes summaries (DESIGN.md §7), in the background. Chosen once no
   * switch is running: the model a switch leaves is unloaded at its end.
   */
  private async summaryModel(): Promise<SummaryModel | null> {
    await this.models.idle();
    const loaded = this.models.smallestLoaded();
    if (!loaded) return null;
    const {backend, handle} = loaded;
    return {
      target: contextTarget(backend, handle),
      respond: async (messages, {signal, maxTokens}) => {
        const result = await backend.respond(handle, messages, {signal, maxTokens, temperature: SUMMARY_TEMPERATURE, isolated: true});
        return {text: result.text, stopReason: result.stats.stopReason};
      },
    };
  }

  /** RAM available now, and VRAM free on GPUs with memory of their own, from the latest sample. */
  private async availableMemory(): Promise<AvailableMemory> {
    const sample = await this.monitor.current();
    const gpus = (this.store.getState().resources[LOCAL_HOST]?.gpus ?? []).filter((gpu) => !gpu.sharedMemory && gpu.vramTotalBytes !== null);
    const vramBytes = gpus.reduce((sum, gpu) => sum + Math.max(0, (gpu.vramTotalBytes ?? 0) - (gpu.vramUsedBytes ?? 0)), 0);
    const hosts = hostPool(this.store.getState(), this.hosts);
    return {ramBytes: sample.memory.availableBytes, ...(gpus.length > 0 ? {vramBytes} : {}), ...(hosts ? {hosts} : {})};
  }

  static async create(options: MaiOptions = {}): Promise<Mai> {
    // The backends are built before the Mai that must hear when one of their engines dies.
    const created: {mai?: Mai} = {};
    const setup = await loadMaiSetup(options, (handle, error) => created.mai?.models.forgetLost(handle, error));
    created.mai = new Mai(setup, options);
    return created.mai;
  }

  private async forgeDemos(): Promise<boolean> {
    this.store.getState().notify('No models found: forging demo models (first run only)…');
    const started = Date.now();
    const files = await forgeDemoModels(this.paths.modelsDir);
    this.log.event('demo-models-forged', {dir: this.paths.modelsDir, files: files.length, ms: Date.now() - started});
    this.store.getState().notify('Demo models ready. Put GGUF files in ~/.lmstudio/models or MAI_MODELS_DIR for real answers.');
    return files.length > 0;
  }

  private modelMemory(): Record<string, number> {
    const memory: Record<string, number> = {};
    for (const handle of this.models.loadedHandles()) {
      const backend = this.backends.find((candidate) => candidate.id === handle.backendId);
      // An engine host reports its RSS; a model in another program's engine (LM Studio) counts its estimate.
      memory[handle.key] =
        backend?.residentBytes?.(handle) ??
        this.store.getState().models.entries.find((entry) => entry.key === handle.key)?.estimateBytes ??
        0;
    }
    return memory;
  }

  /** Starts sampling resources and loads the best model in the background (the TUI's start). */
  start(): void {
    this.monitor.start();
    this.autopilot.start();
    for (const backend of this.backends) backend.connection?.watch();
    this.autopilot
      .startModel()
      // A model that fails to load here is tried again, and replaced, when the first message comes.
      .catch((error: unknown) => this.store.getState().notify(errorMessage(error), 'error'));
  }

  /** The model mai would start a chat with, and why (`mai status`); loads nothing. */
  async plannedStart(): Promise<{readonly key: string; readonly reason: string} | null> {
    const preferred = this.models.preferred();
    const entry = preferred === null ? undefined : this.models.entries().find((candidate) => candidate.key === preferred);
    if (entry && !entry.unusable) return {key: entry.key, reason: this.store.getState().models.pinnedKey === preferred ? 'pinned by you' : 'the conversation\'s last model'};
    const decision = await this.autopilot.startDecision();
    return decision.key === null ? null : {key: decision.key, reason: decision.reason};
  }

  /** Samples resources once and lists the catalogue, without loading anything (`mai models`). */
  async catalog(): Promise<readonly ModelEntry[]> {
    await this.monitor.sampleOnce();
    return this.models.refreshCatalog();
  }

  /** What a library printed to the console while the TUI was drawn (it would corrupt the screen). */
  logConsole(method: string, args: readonly unknown[]): void {
    this.log.warn('console', {method, text: args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' ').slice(0, 2000)});
  }

  /** Takes one resource sample now and publishes it. */
  sampleResources() {
    return this.monitor.sampleOnce();
  }

  /** Samples resources every interval until shutdown, loading no model (`mai status --watch`). */
  monitorResources(): void {
    this.monitor.start();
  }

  /**
   * Follows memory pressure (and preloads) without a TUI: for a library user or a long `mai ask`.
   * The TUI's `start` does it too.
   */
  switchOnPressure(): void {
    this.monitor.start();
    this.autopilot.start();
  }

  /**
   * Sends `text` and streams the reply: every chunk goes to `onChunk`, and to the store at most
   * every 50 ms. The message is on disk before the model is asked; the prompt is fitted to the
   * model that answers. A reply cut off by the signal, Esc or a failure is kept, marked interrupted.
   */
  private async reply(typed: string, signal: AbortSignal | undefined, onChunk: (chunk: string) => void, redo: Redo | null = null): Promise<Reply> {
    // Blank lines around a message are an accident of typing or pasting, never meant for the model.
    const text = typed.replace(/^(\s*\n)+/, '').trimEnd();
    if (this.store.getState().chat.busy) throw new Error('a reply is already in progress');
    const controller = new AbortController();
    this.replyController = controller;
    const onAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort, {once: true});
    this.context.beginTurn();
    // A summary being written in the background yields to the reply (it is made again after it).
    this.context.pauseSummaries();
    let recording: ReplyRecording | null = null;
    const switchesBefore = this.store.getState().models.switches;
    const fallbacks: FallbackRecord[] = [];
    const stopFollowing = this.models.onFallback((record) => fallbacks.push(record));
    try {
      if (redo) await this.context.rewind(redo.from, redo.reason);
      // A reply written again goes to the current model (the user may have just switched to it);
      // a message, new or edited, gets the model for its task.
      if (redo?.reason !== 'regenerate') {
        await this.context.addUserMessage(text);
        // The model for this message (the task, the memory free now); a failure to switch is no
        // reason not to answer: the reply falls back by itself.
        await this.autopilot.beforeReply(text).catch((error: unknown) => this.log.error('selection-failed', error));
      }
      const result = await this.models.respond(
        async ({backend, handle}) => {
          const prompt = await this.context.buildPrompt(contextTarget(backend, handle));
          recording = this.context.startReply(handle.key);
          return prompt;
        },
        {
          signal: controller.signal,
          onText: (chunk) => {
            recording?.append(chunk);
            onChunk(chunk);
          },
          onRestart: () => {
            // The next model cannot go on from this text: it stays, marked, and a new reply follows.
            const cut = recording as ReplyRecording | null;
            cut?.finish({text: cut.textSoFar, model: cut.modelKey, interrupted: true});
            recording = null;
          },
        },
      );
      // Assigned in the prompt callback, which has run by now: TypeScript cannot see that.
      const written = recording as ReplyRecording | null;
      const soFar = written?.textSoFar ?? '';
      const interrupted = result.stats.stopReason === 'aborted';
      const finalText = interrupted ? soFar : result.text || soFar;
      written?.finish({text: finalText, model: result.modelKey, stats: result.stats, interrupted});
      // A reply stopped before its second token cannot be timed (its speed reads 0): the last
      // speed shown stands.
      if (result.stats.tokensPerSecond > 0) this.store.getState().setTokensPerSecond(result.stats.tokensPerSecond);
      const answeredBy = this.models.current();
      if (answeredBy && !interrupted) this.speeds.set(speedKey(this.hostOfBackend(answeredBy.handle.backendId), result.modelKey), result.stats.tokensPerSecond);
      const switches = this.store.getState().models.switches.filter((record) => !switchesBefore.includes(record));
      return {text: finalText, model: result.modelKey, stats: result.stats, interrupted, switches, fallbacks};
    } catch (error) {
      const kept = recording as ReplyRecording | null;
      kept?.finish({text: kept.textSoFar, model: kept.modelKey, interrupted: true});
      this.log.error('reply-failed', error);
      throw error;
    } finally {
      stopFollowing();
      signal?.removeEventListener('abort', onAbort);
      if (this.replyController === controller) this.replyController = null;
      this.context.endTurn();
      this.context.summarizeInBackground();
    }
  }

  /** Runs a reply, remembered so that shutdown can let it write its end first. */
  private startReply(text: string, signal: AbortSignal | undefined, onChunk: (chunk: string) => void, redo: Redo | null = null): Promise<Reply> {
    const reply = this.reply(text, signal, onChunk, redo);
    const done = reply.catch(() => undefined);
    this.replyDone = done;
    void done.then(() => {
      if (this.replyDone === done) this.replyDone = null;
    });
    return reply;
  }

  /** The whole reply to `text`. */
  processMessage(text: string, options: ReplyOptions = {}): Promise<Reply> {
    return this.startReply(text, options.signal, () => undefined);
  }

  /** The reply to `text`, chunk by chunk as the model writes it. */
  async *streamMessage(text: string, options: ReplyOptions = {}): AsyncGenerator<string, Reply> {
    const queue = new AsyncQueue<string>();
    const reply = this.startReply(text, options.signal, (chunk) => queue.push(chunk));
    reply.then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    yield* queue;
    return await reply;
  }

  /**
   * The last reply written again, on the current model: the old one is taken back (in the chat and,
   * as an event, in the file). A new reply that fails or stops before its first word leaves the
   * conversation as it was, on screen and on disk. Rejects when the conversation does not end with a reply.
   */
  regenerateReply(options: ReplyOptions = {}): Promise<Reply> {
    const messages = this.context.messages();
    const last = messages.at(-1);
    const asked = messages.findLast((entry) => entry.role === 'user');
    if (last?.role !== 'assistant' || !asked) return Promise.reject(new Error('there is no reply to write again'));
    return this.startReply(asked.text, options.signal, () => undefined, {from: last.id, reason: 'regenerate'});
  }

  /**
   * Replaces the user message `id` and everything after it with `text`, and answers it; as with
   * `regenerateReply`, nothing is replaced when the reply fails or stops before its first word.
   */
  resendMessage(id: string, text: string, options: ReplyOptions = {}): Promise<Reply> {
    if (!this.context.messages().some((entry) => entry.id === id && entry.role === 'user')) {
      return Promise.reject(new Error('that message is no longer in the conversation'));
    }
    return this.startReply(text, options.signal, () => undefined, {from: id, reason: 'edit'});
  }

  /** The conversation's messages, oldest first (a reply being written is not among them yet). */
  getConversationHistory(): readonly ChatEntry[] {
    return this.context.messages();
  }

  /** Writes the reply in progress as far as it got, synchronously (for a process about to die). */
  saveNow(): void {
    this.context.saveNow();
  }

  /** Ends this conversation (saved as it is) and starts an empty one. */
  async newConversation(): Promise<void> {
    if (this.store.getState().chat.busy) throw new Error('a reply is in progress');
    await this.context.startNew();
  }

  /** The saved conversation's ID (for `--resume`), once its first message is written. */
  get conversationId(): string | null {
    return this.context.conversationId;
  }

  async getStatus(): Promise<MaiStatus> {
    const state = this.store.getState();
    const memory = this.modelMemory();
    const backends = await backendReports(this.backends);
    return {...maiStatus(state, this.models.loadedHandles(), memory, backends), hosts: this.hostReports()};
  }

  /** Loads `key`, makes it current and pins it (`mai switch`, the model picker): mai keeps it until unpinned. */
  switchTo(key: string, reason = 'your choice'): Promise<SwitchOutcome> {
    this.models.setPinned(key);
    return this.models.switchTo(key, reason, 'manual');
  }

  /**
   * Goes on with the saved conversation `id` (or the start of one) in place of this one, as
   * `--resume` does at start: the chat shows its messages, new ones are saved to its file, and it
   * continues on the model that wrote its last reply when that fits. Not while a reply is written.
   */
  async resume(id: string): Promise<ResumedConversation> {
    if (this.store.getState().chat.busy) throw new Error('a reply is in progress; stop it (Esc) before resuming another conversation');
    const dir = this.paths.conversationsDir;
    const found = await findConversation(dir, id);
    const opened = await ConversationFile.open(dir, found);
    if (found === this.context.conversationId) {
      // Already the one on screen: its file is open here; the second handle is not needed.
      await opened.file.close();
      this.store.getState().notify(`conversation ${found} is the one on screen`);
      return {id: found, messages: opened.conversation.messages.length, warnings: opened.conversation.warnings};
    }
    await this.context.resume(opened);
    this.announceResume(found, opened.conversation);
    const last = lastModelOf(opened.conversation);
    this.models.setPreferred(last);
    this.autopilot.continueWith(last);
    this.store.getState().scrollBy(-this.store.getState().ui.scrollOffset, 0);
    return {id: found, messages: opened.conversation.messages.length, warnings: opened.conversation.warnings};
  }

  /** Lets mai choose models by itself again (`mai switch --auto`). */
  unpin(): void {
    this.models.setPinned(null);
  }

  // MaiCommands: what the TUI dispatches. Failures become notices; the UI never sees a rejection.

  send(text: string): void {
    if (this.store.getState().chat.busy) return;
    this.startReply(text, undefined, () => undefined).catch((error: unknown) => {
      if (!isModelError(error, 'aborted')) this.store.getState().notify(errorMessage(error), 'error');
    });
  }

  regenerate(): void {
    if (this.store.getState().chat.busy) return;
    const old = this.context.messages().at(-1);
    this.redoTurn(this.regenerateReply(), 'regenerate', () => old !== undefined && this.context.messages().at(-1) === old);
  }

  resend(id: string, text: string): void {
    if (this.store.getState().chat.busy) return;
    const old = this.context.messages().find((entry) => entry.id === id);
    // Not sent (the old turn is back): the edit goes back to the composer instead of being lost.
    const kept = () => old !== undefined && this.context.messages().includes(old);
    this.redoTurn(this.resendMessage(id, text), 'edit', kept, () => this.store.getState().returnEdit({id, text}));
  }

  /** Says how a turn done again ended when its old messages are back (then `onKept`), or why it failed. */
  private redoTurn(reply: Promise<Reply>, reason: 'regenerate' | 'edit', kept: () => boolean, onKept?: () => void): void {
    const tell = (outcome: Omit<RedoOutcome, 'reason' | 'kept'>) => {
      const stayed = kept();
      if (stayed) onKept?.();
      const notice = redoNotice({reason, kept: stayed, ...outcome});
      if (notice) this.store.getState().notify(notice.text, notice.level);
    };
    reply.then(
      (done) => tell({model: done.model, interrupted: done.interrupted}),
      (error: unknown) => tell({error}),
    );
  }

  stop(): void {
    this.replyController?.abort();
  }

  toggleAutoSwitch(): void {
    const on = !this.models.canSwitchByItself();
    this.models.setAutoSwitch(on);
    this.store.getState().notify(on ? 'automatic switching on: mai picks the model for each message' : 'automatic switching off: the model stays until you switch (Ctrl+A turns it back on)');
  }

  cycleModel(direction: 1 | -1): void {
    this.models.cycle(direction)?.catch((error: unknown) => this.store.getState().notify(errorMessage(error), 'error'));
  }

  pickModel(key: string): void {
    this.switchTo(key).catch((error: unknown) => this.store.getState().notify(errorMessage(error), 'error'));
  }

  async listConversations(): Promise<readonly SavedConversation[]> {
    const infos = await listConversations(this.paths.conversationsDir);
    const onScreen = this.context.conversationId;
    return infos.map(({id, updatedAt, messages, firstLine}) => ({id, updatedAt, messages, firstLine, ...(id === onScreen ? {onScreen: true} : {})}));
  }

  resumeConversation(id: string): void {
    this.resume(id).catch((error: unknown) => this.store.getState().notify(errorMessage(error), 'error'));
  }

  onQuit(listener: () => void): void {
    this.quitListeners.push(listener);
  }

  quit(): void {
    for (const listener of this.quitListeners) listener();
  }

  /** Stops the reply, unloads every model mai loaded, flushes the log. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.replyController?.abort();
      this.autopilot.stop();
      this.monitor.stop();
      // The reply being written ends first (it records itself as interrupted); an engine that does
      // not answer the abort is not waited for long: its text so far is in the file already.
      if (this.replyDone) await Promise.race([this.replyDone, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_REPLY_WAIT_MS).unref())]);
      // The conversation next: a summary in progress stops, and every line written is flushed.
      await this.context.close();
      await this.models.shutdown();
      await Promise.all(this.backends.map((backend) => backend.dispose().catch(() => undefined)));
      this.log.close();
    })();
    return this.shutdownPromise;
  }
}

/** The model that wrote the conversation's last reply, if any. */
function lastModelOf(conversation: ReplayedConversation): string | null {
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const model = conversation.messages[i]?.model;
    if (model) return model;
  }
  return null;
}
