import {randomUUID} from 'node:crypto';
import type {EventLog} from '../log.js';
import type {ChatEntry, ContextReport, MaiStore} from '../store.js';
import type {ChatMessage, ModelBackend, ModelHandle, ResponseStats, Role, StopReason} from './backend.js';
import {
  cutMiddle,
  FALLBACK_TEMPLATE_COST,
  fitConversation,
  nextSummaryRange,
  promptBudget,
  summaryChunkEnd,
  type FitPlan,
  type ReplyRoom,
  type TemplateCost,
} from './context-fit.js';
import type {ReplayedConversation, SavedSummary} from './conversation-events.js';
import type {ConversationFile} from './conversation-file.js';
import {ConversationRecorder} from './conversation-recorder.js';
import {errorMessage} from './errors.js';
import {SUMMARY_MAX_TOKENS, summaryRequest, systemText} from './summary-prompt.js';

// The conversation (DESIGN.md §7): its messages with token counts cached per tokenizer, the prompt
// built for each model within its context, the transfer on a switch, summaries of older turns made
// in the background, and the conversation's file. The decisions are context-fit.ts's pure
// functions; this class does the counting, the models and the files around them. The store's chat
// slice is the UI's view of what this class holds.

/** A loaded model as the context manager needs it: its tokenizer and its window. */
export type ContextTarget = {
  readonly model: string;
  /** Token counts are cached under this: the same model file has the same tokenizer. */
  readonly tokenizerId: string;
  readonly contextLength: number;
  count(texts: readonly string[]): Promise<number[]>;
  /** The exact prompt size as the model's template renders it, when the backend can tell. */
  readonly countPrompt: ((messages: readonly ChatMessage[]) => Promise<number>) | null;
};

export function contextTarget(backend: ModelBackend, handle: ModelHandle): ContextTarget {
  const {countTokensMany, countPromptTokens} = backend;
  return {
    model: handle.key,
    tokenizerId: `${backend.id}:${handle.key}`,
    contextLength: backend.contextLength(handle),
    count: countTokensMany
      ? (texts) => countTokensMany.call(backend, handle, texts)
      : (texts) => Promise.all(texts.map((text) => backend.countTokens(handle, text))),
    countPrompt: countPromptTokens ? (messages) => countPromptTokens.call(backend, handle, messages) : null,
  };
}

/** A model that writes summaries: the smallest loaded one (Mai decides). */
export type SummaryModel = {
  readonly target: ContextTarget;
  respond(messages: readonly ChatMessage[], options: {readonly signal: AbortSignal; readonly maxTokens: number}): Promise<{text: string; stopReason: StopReason}>;
};

export type ContextSettings = {
  readonly replyRoom: ReplyRoom;
  readonly systemPrompt: string;
  readonly summaries: boolean;
  /** The longest reply asked of a model (engine.max_tokens); the room left in its context caps it. */
  readonly maxReplyTokens: number;
};

export type ContextManagerOptions = {
  readonly store: MaiStore;
  readonly log: EventLog;
  readonly settings: ContextSettings;
  /** Where a new conversation is saved; null saves nothing. */
  readonly conversationsDir: string | null;
  readonly resumed?: {readonly file: ConversationFile; readonly conversation: ReplayedConversation};
  readonly summaryModel?: () => SummaryModel | null;
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

// Texts per counting round trip: 1,000 messages of chat are a few hundred KB of JSON over IPC.
const COUNT_BATCH_CHARACTERS = 512 * 1024;
// Estimated within this many tokens a message of the budget, a prompt is counted exactly.
const ESTIMATE_SLACK_PER_MESSAGE = 2;
const EXACT_FIT_ATTEMPTS = 3;
// Reply text reaches the file at most this often while it streams (and at its end): what a crash costs.
const DELTA_INTERVAL_MS = 200;

export class ContextManager {
  private readonly entries: ChatEntry[] = [];
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly templates = new Map<string, Promise<TemplateCost>>();
  /** Per tokenizer, the id of the first message of the last prompt: the window stays put while it can. */
  private readonly windowStart = new Map<string, string>();
  /** Every summary written, by how much they cover (rolling: each folds in the one before). */
  private readonly summaries: SavedSummary[] = [];
  private lastTarget: ContextTarget | null = null;
  private last: BuiltPrompt | null = null;
  private summarizing: {readonly controller: AbortController; readonly done: Promise<void>} | null = null;
  private recorder: ConversationRecorder;
  private readonly now: () => number;

  constructor(private readonly options: ContextManagerOptions) {
    this.now = options.now ?? Date.now;
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
    this.counts.clear();
    this.windowStart.clear();
    this.last = null;
    this.recorder = this.newRecorder();
    this.store.replaceMessages([]);
    this.store.setContextReport(null);
  }

  /** The saved conversation's ID, once it has a file. */
  get conversationId(): string | null {
    return this.recorder.id;
  }

  get conversationPath(): string | null {
    return this.recorder.path;
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
    await this.recorder.start();
    this.recorder.write({type: 'message', id: entry.id, role: 'user', text, at: entry.at});
    await this.recorder.flush();
    return entry;
  }

  /** A reply begins: its text reaches the file as it streams, so a crash keeps what was written. */
  startReply(model: string): ReplyRecording {
    return new ReplyRecording(randomUUID(), model, this.now(), this.recorder, (entry) => this.completeReply(entry));
  }

  private completeReply(entry: ChatEntry | null): void {
    if (entry) this.entries.push(entry);
    this.store.finishStreaming(entry);
    // Not awaited here: the next request awaits it (addUserMessage), and the UI never waits for a disk.
    void this.recorder.flush();
  }

  /** Records a switch and what the transfer kept. */
  private recordSwitch(from: string | null, to: string, reason: string, report: ContextReport | null): void {
    const fit = report ? {kept: report.kept, summarized: report.summarized, dropped: report.dropped, truncated: report.truncated} : undefined;
    this.recorder.write({type: 'switch', from, to, reason, at: this.now(), ...(fit ? {fit} : {})});
  }

  // ---- counting ----

  private countsFor(target: ContextTarget): Map<string, number> {
    let counts = this.counts.get(target.tokenizerId);
    if (!counts) this.counts.set(target.tokenizerId, (counts = new Map()));
    return counts;
  }

  /** Counts, with the target's tokenizer, every text not counted with it yet, in few round trips. */
  private async ensureCounted(target: ContextTarget, items: readonly {readonly key: string; readonly text: string}[]): Promise<Map<string, number>> {
    const counts = this.countsFor(target);
    const missing = items.filter((item) => item.text !== '' && !counts.has(item.key));
    for (let i = 0; i < missing.length; ) {
      let characters = 0;
      let end = i;
      while (end < missing.length && (end === i || characters + (missing[end]?.text.length ?? 0) <= COUNT_BATCH_CHARACTERS)) {
        characters += missing[end]?.text.length ?? 0;
        end++;
      }
      const batch = missing.slice(i, end);
      const tokens = await target.count(batch.map((item) => item.text));
      batch.forEach((item, j) => counts.set(item.key, tokens[j] ?? 0));
      i = end;
    }
    return counts;
  }

  /** What the target's chat template adds around messages, measured once per tokenizer. */
  private templateCost(target: ContextTarget): Promise<TemplateCost> {
    const {countPrompt} = target;
    if (!countPrompt) return Promise.resolve(FALLBACK_TEMPLATE_COST);
    let cost = this.templates.get(target.tokenizerId);
    if (!cost) {
      cost = (async () => {
        const x = 'x';
        const [xTokens = 1] = await target.count([x]);
        const user: ChatMessage = {role: 'user', content: x};
        const [base, withUser, withReply, withSystem] = await Promise.all([
          countPrompt([]),
          countPrompt([user]),
          countPrompt([user, {role: 'assistant', content: x}]),
          countPrompt([{role: 'system', content: x}]),
        ]);
        const extra = (tokens: number) => Math.max(0, tokens - xTokens);
        return {base, perMessage: {user: extra(withUser - base), assistant: extra(withReply - withUser), system: extra(withSystem - base)}};
      })().catch((error: unknown) => {
        this.templates.delete(target.tokenizerId);
        this.options.log.warn('template-cost-failed', {model: target.model, message: errorMessage(error)});
        return FALLBACK_TEMPLATE_COST;
      });
      this.templates.set(target.tokenizerId, cost);
    }
    return cost;
  }

  /** Each message's prompt tokens for the target (0 for an empty one: it is left out). */
  private async messageTokens(target: ContextTarget, cost: TemplateCost): Promise<number[]> {
    const counts = await this.ensureCounted(target, this.entries.map((entry) => ({key: entry.id, text: entry.text})));
    return this.entries.map((entry) => (entry.text === '' ? 0 : (counts.get(entry.id) ?? 0) + cost.perMessage[entry.role]));
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
    const {settings} = this.options;
    const cost = await this.templateCost(target);
    const tokens = await this.messageTokens(target, cost);
    const roles = this.entries.map((entry) => entry.role);
    const position = new Map(this.entries.map((entry, i) => [entry.id, i]));
    const summaries = this.summaries.filter((summary) => position.has(summary.upTo));
    // The system message with each summary (and the system prompt, if any), counted once per tokenizer.
    const systems = [systemText(settings.systemPrompt, null), ...summaries.map((summary) => systemText(settings.systemPrompt, summary))];
    const keys = ['\0system', ...summaries.map((summary) => `\0summary:${summary.upTo}:${summary.at}`)];
    const texts = await this.ensureCounted(target, systems.map((text, i) => ({key: keys[i] as string, text})));
    const systemTokens = systems.map((text, i) => (text === '' ? 0 : (texts.get(keys[i] as string) ?? 0) + cost.perMessage.system));
    const fixed = cost.base + (systemTokens[0] ?? 0);
    const summaryCosts = summaries.map((summary, i) => ({upTo: position.get(summary.upTo) ?? 0, tokens: (systemTokens[i + 1] ?? 0) - (systemTokens[0] ?? 0)}));
    const previousId = this.windowStart.get(target.tokenizerId);
    const previous = previousId === undefined ? undefined : position.get(previousId);

    let budget = promptBudget(target.contextLength, settings.replyRoom);
    let plan: FitPlan | null = null;
    let messages: ChatMessage[] = [];
    let exact: number | null = null;
    for (let attempt = 0; attempt < EXACT_FIT_ATTEMPTS; attempt++) {
      plan = fitConversation({budget, fixed, messages: tokens, roles, summaries: summaryCosts, ...(previous === undefined ? {} : {previousStart: previous})});
      messages = await this.promptMessages(target, plan, cost, systems[plan.summary === null ? 0 : plan.summary + 1] ?? '');
      const slack = ESTIMATE_SLACK_PER_MESSAGE * messages.length + cost.base;
      if (!target.countPrompt || plan.tokens < budget - slack) break;
      exact = await target.countPrompt(messages);
      if (exact <= budget) break;
      // The estimate was short (a template's tokens merge differently around real text): fit again
      // into a budget smaller by what it missed.
      budget -= exact - budget;
    }
    const fitted = plan as FitPlan;
    const promptTokens = exact ?? fitted.tokens;
    const firstKept = this.entries[fitted.start];
    // A background refresh that a reply overtook must not overwrite what the reply's fit says.
    const publish = !signal?.aborted;
    if (firstKept && publish) this.windowStart.set(target.tokenizerId, firstKept.id);
    if (publish) this.lastTarget = target;
    const report: ContextReport = {
      model: target.model,
      contextLength: target.contextLength,
      promptTokens,
      messages: this.entries.length,
      kept: fitted.kept,
      summarized: fitted.summarized,
      dropped: fitted.dropped,
      truncated: fitted.truncateLastTo !== null,
      summarizing: this.summarizing !== null,
    };
    if (publish) this.store.setContextReport(report);
    // Unverified estimates keep a margin, so that the reply never runs past the context.
    const left = target.contextLength - promptTokens - (exact === null ? ESTIMATE_SLACK_PER_MESSAGE * messages.length : 0);
    return {messages, promptTokens, maxTokens: Math.max(1, Math.min(settings.maxReplyTokens, left)), report};
  }

  private async promptMessages(target: ContextTarget, plan: FitPlan, cost: TemplateCost, system: string): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = system === '' ? [] : [{role: 'system', content: system}];
    for (let i = plan.start; i < this.entries.length; i++) {
      const entry = this.entries[i] as ChatEntry;
      if (entry.text !== '') messages.push({role: entry.role, content: entry.text});
    }
    const last = this.entries.at(-1);
    if (plan.truncateLastTo !== null && last && messages.length > 0) {
      const room = plan.truncateLastTo - cost.perMessage[last.role];
      const known = this.countsFor(target).get(last.id);
      messages[messages.length - 1] = {role: last.role, content: await this.cutToFit(target, last.text, known, room)};
    }
    return messages;
  }

  /** The text cut in the middle, with a marker, to at most `room` tokens of the target. */
  private async cutToFit(target: ContextTarget, text: string, known: number | undefined, room: number): Promise<string> {
    let tokens = (known ?? (await target.count([text]))[0]) || 1;
    let keep = Array.from(text).length;
    let cut = text;
    // Characters in proportion to tokens, then checked: two or three rounds at most.
    for (let round = 0; round < 4 && tokens > room; round++) {
      keep = Math.max(0, Math.floor((keep * room) / tokens * 0.9) - 80);
      cut = cutMiddle(text, keep);
      [tokens = 0] = await target.count([cut]);
    }
    return cut;
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

  /** Starts a summary when the turns after the last one take most of the current model's window. */
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
      const target = this.lastTarget;
      const model = this.options.summaryModel?.();
      // Only once the current model's window has had to leave turns out: a summary written on the
      // model in use costs it the cache of its prompt, so it is not written before it is needed.
      const report = this.store.chat.context;
      if (!target || !model || signal.aborted || !report || report.model !== target.model || report.dropped === 0) return;
      const cost = await this.templateCost(target);
      const tokens = await this.messageTokens(target, cost);
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
    const cost = await this.templateCost(target);
    const maxTokens = Math.min(SUMMARY_MAX_TOKENS, Math.floor(target.contextLength / 4));
    const previous = this.summaries.at(-1) ?? null;
    const overhead = await target.count([summaryRequest(previous, []).map((message) => message.content).join('\n')]);
    const input = target.contextLength - maxTokens - cost.base - 2 * cost.perMessage.system - (overhead[0] ?? 0);
    const chunk = this.entries.slice(range.from, range.to);
    const counts = await this.ensureCounted(target, chunk.map((entry) => ({key: entry.id, text: entry.text})));
    // A transcript line costs a little more than the message ("User: "): 10 % spare.
    const tokens = this.entries.map((entry, i) => (i < range.from || i >= range.to ? 0 : Math.ceil(((counts.get(entry.id) ?? 0) + 4) * 1.1)));
    const end = summaryChunkEnd(tokens, this.entries.map((entry) => entry.role), range, input);
    let covered = this.entries.slice(range.from, end);
    const only = covered[0];
    if (covered.length === 1 && only && (tokens[range.from] ?? 0) > input) {
      covered = [{...only, text: await this.cutToFit(target, only.text, counts.get(only.id), Math.floor(input / 1.1) - 4)}];
    }
    const upTo = this.entries[end];
    if (!upTo || input <= 0) return false;
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

/** One reply being written: its text goes to the file as it streams, then once whole. */
export class ReplyRecording {
  private text = '';
  private written = 0;
  private lastWriteAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    readonly id: string,
    private model: string,
    private readonly startedAt: number,
    private readonly recorder: ConversationRecorder,
    private readonly onFinish: (entry: ChatEntry | null) => void,
  ) {
    recorder.write({type: 'started', id, model, at: startedAt});
  }

  append(chunk: string): void {
    if (this.finished) return;
    this.text += chunk;
    // The first text at once (a crash right after the first words keeps them), then in batches.
    if (this.written === 0 || Date.now() - this.lastWriteAt >= DELTA_INTERVAL_MS) this.writeDelta();
    else this.timer ??= setTimeout(() => this.writeDelta(), DELTA_INTERVAL_MS);
  }

  private writeDelta(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWriteAt = Date.now();
    if (this.written === this.text.length) return;
    this.recorder.write({type: 'delta', id: this.id, text: this.text.slice(this.written)});
    this.written = this.text.length;
  }

  /**
   * The reply ended: whole, or cut off (Esc, Ctrl+C, a failure) with what was written kept and
   * marked. A reply that wrote nothing leaves no message.
   */
  finish(result: {readonly text: string; readonly model: string; readonly stats?: ResponseStats; readonly interrupted: boolean}): ChatEntry | null {
    if (this.finished) return null;
    this.finished = true;
    clearTimeout(this.timer);
    this.model = result.model;
    const at = Date.now();
    this.recorder.write({
      type: 'completed',
      id: this.id,
      model: this.model,
      text: result.text,
      at,
      interrupted: result.interrupted,
      ...(result.stats ? {stats: result.stats} : {}),
    });
    const entry: ChatEntry | null =
      result.text === ''
        ? null
        : {
            id: this.id,
            role: 'assistant' as Role,
            text: result.text,
            at,
            model: this.model,
            ...(result.stats ? {stats: result.stats} : {}),
            ...(result.interrupted ? {interrupted: true} : {}),
          };
    this.onFinish(entry);
    return entry;
  }
}
