import type {EventLog} from '../util/log.js';
import type {ChatEntry} from '../store.js';
import type {ChatMessage} from '../domain.js';
import type {ModelBackend, ModelHandle} from '../backends/backend.js';
import {FALLBACK_TEMPLATE_COST, type TemplateCost} from './context-fit.js';
import {errorMessage} from '../backends/model-error.js';

// Token counts of a conversation's texts, cached per tokenizer: a message is counted once by each
// model it is sent to, and a switch re-counts the whole conversation in a few round trips to the
// target's engine. Also what each model's chat template adds around a message, measured once.

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

// Texts per counting round trip: 1,000 messages of chat are a few hundred KB of JSON over IPC.
const COUNT_BATCH_CHARACTERS = 512 * 1024;

export type Countable = {readonly key: string; readonly text: string};

export class TokenCounts {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly templates = new Map<string, Promise<TemplateCost>>();

  constructor(private readonly log: EventLog) {}

  private countsFor(target: ContextTarget): Map<string, number> {
    let counts = this.counts.get(target.tokenizerId);
    if (!counts) this.counts.set(target.tokenizerId, (counts = new Map()));
    return counts;
  }

  /** A count made before, if any. */
  known(target: ContextTarget, key: string): number | undefined {
    return this.counts.get(target.tokenizerId)?.get(key);
  }

  /** Counts, with the target's tokenizer, every text not counted with it yet, in few round trips. */
  async ensure(target: ContextTarget, items: readonly Countable[]): Promise<ReadonlyMap<string, number>> {
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

  /**
   * What the target's chat template adds around messages, measured once per tokenizer by counting
   * small rendered prompts: a model's template costs what it costs (the demo models' ChatML 9-14
   * tokens a message, as their vocabularies spell the role names letter by letter).
   */
  template(target: ContextTarget): Promise<TemplateCost> {
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
        this.log.warn('template-cost-failed', {model: target.model, message: errorMessage(error)});
        return FALLBACK_TEMPLATE_COST;
      });
      this.templates.set(target.tokenizerId, cost);
    }
    return cost;
  }

  /** Each message's prompt tokens for the target, its template cost included (0 for an empty one: it is left out). */
  async messages(target: ContextTarget, cost: TemplateCost, entries: readonly ChatEntry[]): Promise<number[]> {
    const counts = await this.ensure(target, entries.map((entry) => ({key: entry.id, text: entry.text})));
    return entries.map((entry) => (entry.text === '' ? 0 : (counts.get(entry.id) ?? 0) + cost.perMessage[entry.role]));
  }

  /** Forgets the counts (a new conversation); what templates cost stays, it belongs to the models. */
  clear(): void {
    this.counts.clear();
  }
}
