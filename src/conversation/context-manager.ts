import {randomUUID} from 'node:crypto';
import type {EventLog} from '../util/log.js';
import type {ChatEntry, ContextReport, MaiStore} from '../store.js';
import type {ChatMessage, StopReason} from '../domain.js';
import {nextSummaryRange, promptBudget, summaryChunkEnd} from './context-fit.js';
import type {ConversationEvent, ReplayedConversation, SavedSummary} from './conversation-events.js';
import type {ConversationFile} from './conversation-file.js';
import {ConversationRecorder} from './conversation-recorder.js';
import {errorMessage} from '../backends/model-error.js';
import {cutToFit, fitPromptToWindow, type PromptSettings} from './fitted-prompt.js';
import {ReplyRecording} from './reply-recording.js';
import {ReplyBuffer} from '../util/reply-buffer.js';
import {TokenCounts, type ContextTarget} from './token-counts.js';
import {SUMMARY_MAX_TOKENS, summaryRequest} from './summary-prompt.js';

export {contextTarget, type ContextTarget} from './token-counts.js';
export type {ReplyRecording} from './reply-recording.js';

// The conversation (DESIGN.md §7): its messages with token counts cached per tokenizer, the prompt
// built for each model within its context, the transfer on a switch, summaries of older turns made
// in the background, and the conversation's file. The decisions are context-fit.ts's pure
// functions, and fitting a prompt into one model's window is fitted-prompt.ts's; this class does
// the counting, the models and the files around them. The store's chat slice is the UI's view of
// what this class holds.

/** A model that writes summaries: the smallest loaded one (Mai decides). */
export type SummaryModel = {
  readonly target: ContextTarget;
  respond(messages: readonly ChatMessage[], options: {readonly signal: AbortSignal; readonly maxTokens: number}): Promise<{text: string; stopReason: StopReason}>;
};

export type ContextSettings = PromptSettings & {readonly summaries: boolean};

export type ContextManagerOptions = {
  readonly store: MaiStore;
  readonly log: EventLog;
  readonly settings: ContextSettings;
  /** Where a new conversation is saved; null saves nothing. */
  readonly conversationsDir: string | null;
  readonly resumed?: {readonly file: ConversationFile; readonly conversation: ReplayedConversation};
  /** The model to write the next summary with, once it can be known (no switch in progress). */
  readonly summaryModel?: () => Promise<SummaryModel | null>;
  readonly now?: () => number;
};

export type BuiltPrompt = {
  readonly messages: readonly ChatMessage[];
  /** Exact when the backend can count a whole prompt, else the estimate. */
  readonly promptTokens: number;
  /** The reply's limit: engine.max_tokens, or less when the context has less room left. */
  readonly maxTokens: number;
  readonly report: ContextReport;
};

/**
 * A turn being done again (regenerate, an edited message resent) whose reply has no words yet: what
 * it took back, to put back if it ends without any, and its lines, held until then.
 */
type PendingRedo = {
  /** Where the messages taken back were. */
  readonly from: number;
  readonly removed: readonly ChatEntry[];
  readonly summaries: readonly SavedSummary[];
  readonly windowStarts: ReadonlyMap<string, string>;
  /** The rewind and the edited message, written with the reply's first words. */
  readonly events: ConversationEvent[];
};

export class ContextManager {
  private readonly entries: ChatEntry[] = [];
  private readonly tokens: TokenCounts;
  /** Per tokenizer, the id of the first message of the last prompt: the window stays put while it can. */
  private readonly windowStart = new Map<string, string>();
  /** Every summary written, by how much they cover (rolling: each folds in the one before). */
  private readonly summaries: SavedSummary[] = [];
  private lastTarget: ContextTarget | null = null;
  private last: BuiltPrompt | null = null;
  private streaming: ReplyRecording | null = null;
  private summarizing: {readonly controller: AbortController; readonly done: Promise<void>} | null = null;
  private recorder: ConversationRecorder;
  /** The last switch since the last reply, shown as a divider above the next (or the current) reply. */
  private divider: string | null = null;
  private redo: PendingRedo | null = null;
  private readonly now: () => number;

  constructor(private readonly options: ContextManagerOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = new TokenCounts(options.log);
    this.recorder = this.newRecorder(options.resumed?.file);
    if (options.resumed) {
      const {conversation} = options.resumed;
      this.entries.push(...conversation.messages);
      this.summaries.push(...conversation.summaries);
      options.store.getState().replaceMessages(this.entries.slice());
    }
  }

  private newRecorder(file?: ConversationFile): ConversationRecorder {
    const {options} = this;
    return new ConversationRecorder({
      dir: options.conversationsDir,
      ...(file ? {file} : {}),
      now: this.now,
      onFailure: (message) => {
        options.log.warn('conversation-not-saved', {message});
        options.store.getState().notify(message, 'warn');
      },
    });
  }

  /** Closes this conversation (its file flushed) and starts an empty one, saved in a new file. */
  async startNew(): Promise<void> {
    await this.close();
    this.entries.length = 0;
    this.summaries.length = 0;
    this.tokens.clear();
    this.windowStart.clear();
    this.last = null;
    this.recorder = this.newRecorder();
    this.store.replaceMessages([]);
    this.store.setContextReport(null);
  }

  /**
   * Closes this conversation (its file flushed) and goes on with a saved one in its place: its
   * messages and summaries, and its file, appended to from now on (the picker's resume).
   */
  async resume(opened: {readonly file: ConversationFile; readonly conversation: ReplayedConversation}): Promise<void> {
    await this.close();
    this.entries.length = 0;
    this.summaries.length = 0;
    this.tokens.clear();
    this.windowStart.clear();
    this.last = null;
    this.divider = null;
    this.entries.push(...opened.conversation.messages);
    this.summaries.push(...opened.conversation.summaries);
    this.recorder = this.newRecorder(opened.file);
    this.store.replaceMessages(this.entries.slice());
    this.store.setContextReport(null);
  }

  /** The saved conversation's ID, once it has a file. */
  get conversationId(): string | null {
    return this.recorder.id;
  }

  messages(): readonly ChatEntry[] {
    return this.entries;
  }

  /** The last prompt built for a reply or a switch: what the model was (or will be) sent. */
  lastPrompt(): BuiltPrompt | null {
    return this.last;
  }

  private get store() {
    return this.options.store.getState();
  }

  // ---- messages and the file ----

  /** Adds what the user sent; resolves once it is on disk, so a request never outruns its message. */
  async addUserMessage(text: string): Promise<ChatEntry> {
    const entry: ChatEntry = {id: randomUUID(), role: 'user', text, at: this.now()};
    this.entries.push(entry);
    this.store.addMessage(entry);
    if (this.redo) {
      // An edited message: on disk with its reply's first words, or never (it stays unsent).
      this.redo.events.push({type: 'message', id: entry.id, role: 'user', text, at: entry.at});
      return entry;
    }
    await this.recorder.start();
    this.recorder.write({type: 'message', id: entry.id, role: 'user', text, at: entry.at});
    await this.recorder.flush();
    return entry;
  }

  /**
   * Takes back the message `id` and everything after it (a reply written again, an edited message
   * resent), in the chat at once. The file's `rewind` line waits for the new reply's first words:
   * until then `undoRedo` puts everything back as it was. False when there is no such message.
   */
  async rewind(id: string, reason: 'regenerate' | 'edit'): Promise<boolean> {
    const from = this.entries.findIndex((entry) => entry.id === id);
    if (from === -1) return false;
    const removed = this.entries.splice(from);
    const removedIds = new Set(removed.map((entry) => entry.id));
    // A summary reaching into what was taken back describes turns that no longer exist.
    const summaries = this.summaries.filter((summary) => removedIds.has(summary.upTo));
    const kept = this.summaries.filter((summary) => !removedIds.has(summary.upTo));
    this.summaries.splice(0, this.summaries.length, ...kept);
    const windowStarts = new Map<string, string>();
    for (const [tokenizer, start] of this.windowStart) {
      if (!removedIds.has(start)) continue;
      windowStarts.set(tokenizer, start);
      this.windowStart.delete(tokenizer);
    }
    this.divider = null;
    this.store.replaceMessages(this.entries.slice());
    await this.recorder.start();
    this.redo = {from, removed, summaries, windowStarts, events: [{type: 'rewind', from: id, reason, at: this.now()}]};
    return true;
  }

  /**
   * The turn done again ended without a word (it failed or was stopped first): the messages it took
   * back return, and the edited message goes; the file never heard of it. False when there was none.
   */
  undoRedo(): boolean {
    const redo = this.redo;
    if (!redo) return false;
    this.redo = null;
    this.entries.splice(redo.from, this.entries.length - redo.from, ...redo.removed);
    this.summaries.push(...redo.summaries);
    this.summaries.sort((a, b) => a.covers - b.covers);
    for (const [tokenizer, start] of redo.windowStarts) this.windowStart.set(tokenizer, start);
    this.store.replaceMessages(this.entries.slice());
    return true;
  }

  /** A reply is being asked for: the chat shows mai busy until `endTurn`. */
  beginTurn(): void {
    this.store.setBusy(true);
  }

  endTurn(): void {
    // A turn done again that never got a word leaves the conversation as it was.
    this.undoRedo();
    this.store.setBusy(false);
  }

  /**
   * A reply begins on `model` (or, after a fallback, goes on on another): its text reaches the file
   * as it streams, so a crash keeps what was written, and the screen at most every 50 ms.
   */
  startReply(model: string): ReplyRecording {
    if (this.streaming) {
      this.streaming.continueOn(model);
    } else {
      const display = new ReplyBuffer((text) => this.store.setStreamingText(text));
      const held = this.redo?.events ?? null;
      this.streaming = new ReplyRecording(randomUUID(), model, this.now(), this.recorder, (entry) => this.completeReply(entry), display, held);
    }
    this.store.startStreaming({id: this.streaming.id, model, text: this.streaming.textSoFar});
    return this.streaming;
  }

  /**
   * Writes what the reply in progress streamed since its last write, now and synchronously: for a
   * process about to die (an uncaught error), which has no time for anything asynchronous.
   */
  saveNow(): void {
    this.streaming?.writePending();
  }

  private completeReply(finished: ChatEntry | null): void {
    this.streaming = null;
    // The reply has words: the turn done again stands (its lines went to the file with them).
    if (finished) this.redo = null;
    const entry = finished && this.divider ? {...finished, switchedBefore: this.divider} : finished;
    if (entry) this.divider = null;
    if (entry) this.entries.push(entry);
    this.store.finishStreaming(entry);
    // Not awaited here: the next request awaits it (addUserMessage), and the UI never waits for a disk.
    void this.recorder.flush();
  }

  /** Records a switch and what the transfer kept. */
  private recordSwitch(from: string | null, to: string, reason: string, report: ContextReport | null): void {
    const fit = report ? {kept: report.kept, summarized: report.summarized, dropped: report.dropped, truncated: report.truncated} : undefined;
    if (from !== null) this.divider = `${from} → ${to}: ${reason}`;
    this.recorder.write({type: 'switch', from, to, reason, at: this.now(), ...(fit ? {fit} : {})});
  }

  // ---- the prompt ----

  /**
   * The prompt for `target`: the system prompt, the summary when older turns do not fit, and the
   * newest turns that fit its context less the reply's room; never a message cut without a mark.
   * A background refresh passes its signal: once aborted (a reply began), it changes nothing.
   */
  async buildPrompt(target: ContextTarget, signal?: AbortSignal): Promise<BuiltPrompt> {
    const built = await this.fitPrompt(target, signal);
    if (!signal) this.last = built;
    return built;
  }

  private async fitPrompt(target: ContextTarget, signal: AbortSignal | undefined): Promise<BuiltPrompt> {
    const {messages, promptTokens, maxTokens, plan} = await fitPromptToWindow({
      target,
      entries: this.entries,
      summaries: this.summaries,
      tokens: this.tokens,
      settings: this.options.settings,
      windowStart: this.windowStart,
    });
    const firstKept = this.entries[plan.start];
    // A background refresh that a reply overtook must not overwrite what the reply's fit says.
    const publish = !signal?.aborted;
    if (firstKept && publish) this.windowStart.set(target.tokenizerId, firstKept.id);
    if (publish) this.lastTarget = target;
    const report: ContextReport = {
      model: target.model,
      contextLength: target.contextLength,
      promptTokens,
      messages: this.entries.length,
      kept: plan.kept,
      summarized: plan.summarized,
      dropped: plan.dropped,
      truncated: plan.truncateLastTo !== null,
      summarizing: this.summarizing !== null,
    };
    if (publish) this.store.setContextReport(report);
    return {messages, promptTokens, maxTokens, report};
  }

  // ---- switching ----

  /**
   * A switch to `target`: the conversation is re-counted with its tokenizer and re-fitted to its
   * window, and what was kept, summarized and dropped is reported (status bar, log, file).
   */
  async transfer(target: ContextTarget, from: string | null, reason: string): Promise<ContextReport | null> {
    if (this.entries.length === 0) {
      this.recordSwitch(from, target.model, reason, null);
      this.lastTarget = target;
      return null;
    }
    const started = performance.now();
    const {report} = await this.buildPrompt(target);
    this.options.log.event('context-transfer', {from, to: target.model, ...report, ms: Math.round(performance.now() - started)});
    this.recordSwitch(from, target.model, reason, report);
    if (report.dropped > 0) this.summarizeInBackground();
    return report;
  }

  // ---- summaries ----

  /** Stops a summary being written (a reply has priority); it is made again after the reply. */
  pauseSummaries(): void {
    this.summarizing?.controller.abort();
  }

  /**
   * Starts summarizing, in the background, when the current model's window had to leave turns out;
   * it goes on, round after round, until what is left fits (or a reply needs the engine).
   */
  summarizeInBackground(): void {
    if (!this.options.settings.summaries || this.summarizing || this.store.chat.busy) return;
    const controller = new AbortController();
    const done = this.summarizeWhileNeeded(controller.signal)
      .catch((error: unknown) => this.options.log.warn('summary-failed', {message: errorMessage(error)}))
      .finally(() => {
        this.summarizing = null;
        this.setSummarizing(false);
      });
    this.summarizing = {controller, done};
  }

  /** Resolves when no summary is being written (tests, shutdown). */
  async summariesSettled(): Promise<void> {
    while (this.summarizing) await this.summarizing.done;
  }

  private setSummarizing(summarizing: boolean): void {
    const report = this.store.chat.context;
    if (report && report.summarizing !== summarizing) this.store.setContextReport({...report, summarizing});
  }

  private async summarizeWhileNeeded(signal: AbortSignal): Promise<void> {
    for (;;) {
      const model = await this.options.summaryModel?.();
      const target = this.lastTarget;
      // Only once the current model's window has had to leave turns out: a summary costs a model
      // seconds of work on a real model (its whole input evaluated), so none is written before it
      // is needed. Until it is there, the status bar says what was dropped.
      const report = this.store.chat.context;
      if (!target || !model || signal.aborted || !report || report.model !== target.model || report.dropped === 0) return;
      const cost = await this.tokens.template(target);
      const tokens = await this.tokens.messages(target, cost, this.entries);
      const latest = this.summaries.at(-1);
      const from = latest ? this.entries.findIndex((entry) => entry.id === latest.upTo) : 0;
      if (from < 0) return;
      const range = nextSummaryRange({
        messages: tokens,
        roles: this.entries.map((entry) => entry.role),
        summarizedUpTo: from,
        budget: promptBudget(target.contextLength, this.options.settings.replyRoom),
      });
      if (!range) return;
      this.setSummarizing(true);
      if (!(await this.summarize(model, range, signal)) || signal.aborted) return;
      // The summary changes what fits: say so in the status bar.
      await this.buildPrompt(target, signal);
    }
  }

  /** Writes one summary of messages from range.from (as many as the model's input holds). */
  private async summarize(model: SummaryModel, range: {from: number; to: number}, signal: AbortSignal): Promise<boolean> {
    const target = model.target;
    const cost = await this.tokens.template(target);
    const maxTokens = Math.min(SUMMARY_MAX_TOKENS, Math.floor(target.contextLength / 4));
    const previous = this.summaries.at(-1) ?? null;
    const overhead = await target.count([summaryRequest(previous, []).map((message) => message.content).join('\n')]);
    const input = target.contextLength - maxTokens - cost.base - 2 * cost.perMessage.system - (overhead[0] ?? 0);
    const chunk = this.entries.slice(range.from, range.to);
    const counts = await this.tokens.ensure(target, chunk.map((entry) => ({key: entry.id, text: entry.text})));
    // A transcript line costs a little more than the message ("User: "): 10 % spare.
    const tokens = this.entries.map((entry, i) => (i < range.from || i >= range.to ? 0 : Math.ceil(((counts.get(entry.id) ?? 0) + 4) * 1.1)));
    const end = summaryChunkEnd(tokens, this.entries.map((entry) => entry.role), range, input);
    let covered = this.entries.slice(range.from, end);
    const only = covered[0];
    if (covered.length === 1 && only && (tokens[range.from] ?? 0) > input) {
      covered = [{...only, text: await cutToFit(target, only.text, counts.get(only.id), Math.floor(input / 1.1) - 4)}];
    }
    const upTo = this.entries[end];
    if (!upTo || input <= 0) return false;
    // A summary is a request too: the reply it follows is on disk before it starts.
    await this.recorder.flush();
    const started = performance.now();
    const result = await model.respond(summaryRequest(previous, covered), {signal, maxTokens});
    const text = result.text.trim();
    if (signal.aborted || result.stopReason === 'aborted' || text === '') return false;
    const ms = Math.round(performance.now() - started);
    const summary: SavedSummary = {upTo: upTo.id, covers: end, text, model: target.model, at: this.now()};
    this.summaries.push(summary);
    this.recorder.write({type: 'summary', upTo: upTo.id, covers: end, text, model: target.model, at: summary.at, ms});
    void this.recorder.flush();
    this.options.log.event('summary', {model: target.model, covers: end, from: range.from, ms, characters: text.length});
    return true;
  }

  /** Stops a summary in progress and closes the file (everything written is flushed). */
  async close(): Promise<void> {
    this.pauseSummaries();
    await this.summariesSettled();
    await this.recorder.close();
  }
}
