import type {Role} from '../domain.js';
import {formatCount} from '../util/locale-free.js';

// What of a conversation goes into a model's prompt (DESIGN.md §7): pure decisions over token
// counts, so that they are table-tested and cost microseconds; counting, files and models are the
// context manager's edges.

/** How much of the context is kept free for the reply. */
export type ReplyRoom = {readonly percent: number} | {readonly tokens: number};

/** What a model's chat template adds around the text, in that model's tokens. */
export type TemplateCost = {
  /** An empty prompt: BOS and the header the reply is written after. */
  readonly base: number;
  /** Tokens a message adds beyond its text (role header, end-of-turn), by role. */
  readonly perMessage: Readonly<Record<Role, number>>;
};

/**
 * Used when a backend cannot render its prompt to count it. Generous on purpose: the demo models'
 * ChatML costs 9-14 tokens a message (their vocabularies spell "assistant" letter by letter), and
 * common templates (Llama 3, ChatML with a real vocabulary) 4-7.
 */
export const FALLBACK_TEMPLATE_COST: TemplateCost = {base: 16, perMessage: {system: 16, user: 16, assistant: 16}};

/**
 * Prompt tokens a model of `contextLength` may use: the rest is room for the reply. A room in
 * tokens is capped at half the context: 1,024 tokens of room on a 512-token model would leave none
 * for the conversation.
 */
export function promptBudget(contextLength: number, room: ReplyRoom): number {
  const reserved = 'percent' in room ? Math.floor((contextLength * room.percent) / 100) : Math.min(room.tokens, Math.floor(contextLength / 2));
  return Math.max(1, contextLength - Math.max(1, reserved));
}

/** A summary of messages [0, upTo), and what it adds to a prompt. */
export type SummaryCost = {readonly upTo: number; readonly tokens: number};

export type FitInput = {
  /** Prompt tokens allowed (promptBudget). */
  readonly budget: number;
  /** What every prompt holds: the template's base and the system prompt's message, if any. */
  readonly fixed: number;
  /** Each message's tokens, its template cost included, oldest first. The last one is always kept. */
  readonly messages: readonly number[];
  readonly roles: readonly Role[];
  /**
   * The summaries there are, oldest (smallest upTo) first. Summaries written for a small model
   * cover more than a large one needs: each model gets the one that leaves it the most turns in full.
   */
  readonly summaries: readonly SummaryCost[];
  /** Where the last prompt for this model started: kept while it fits (see `lowWater`). */
  readonly previousStart?: number;
  /**
   * When the window has to move, it moves until the prompt takes this share of the budget. The
   * engine reuses its cache for the unchanged start of a prompt: a window that moved by one turn
   * per message would have the whole prompt evaluated again every time (seconds on a real model
   * on a CPU); moving it in bigger steps keeps the start unchanged for the next several turns.
   */
  readonly lowWater?: number;
};

export type FitPlan = {
  /** The first message in the prompt; every message after it is in too. */
  readonly start: number;
  /** Which of the summaries goes in front of the turns (its index), or null for none. */
  readonly summary: number | null;
  /** Tokens the last message may take (template cost included) when it alone is over budget. */
  readonly truncateLastTo: number | null;
  /** Estimated prompt tokens. */
  readonly tokens: number;
  readonly kept: number;
  readonly summarized: number;
  readonly dropped: number;
};

export const DEFAULT_LOW_WATER = 0.75;

/** Sums from each index to the end: tail[i] = messages[i] + … + messages[n-1], tail[n] = 0. */
function tailSums(messages: readonly number[]): Float64Array {
  const tail = new Float64Array(messages.length + 1);
  for (let i = messages.length - 1; i >= 0; i--) tail[i] = (tail[i + 1] ?? 0) + (messages[i] ?? 0);
  return tail;
}

/**
 * The prompt for one model: everything when it fits; else a summary of the older turns and every
 * turn after it, choosing the summary that leaves the most turns in full; when no summary leaves
 * room for all the turns after it, the latest summary and the newest turns that fit, starting at a
 * user message. The last message always goes in, cut to fit (never silently: the caller marks the
 * cut) when it alone is over the budget.
 */
export function fitConversation(input: FitInput): FitPlan {
  const {budget, fixed, messages, roles} = input;
  const n = messages.length;
  const tail = tailSums(messages);
  const at = (i: number) => tail[i] ?? 0;
  const plan = (start: number, summary: number | null, truncateLastTo: number | null = null): FitPlan => {
    const chosen = summary === null ? undefined : input.summaries[summary];
    const base = fixed + (chosen?.tokens ?? 0);
    const summarized = chosen?.upTo ?? 0;
    const tokens = truncateLastTo === null ? base + at(start) : base + at(start) - (messages[n - 1] ?? 0) + truncateLastTo;
    return {start, summary, truncateLastTo, tokens, kept: n - start, summarized, dropped: start - summarized};
  };
  if (n === 0 || fixed + at(0) <= budget) return plan(0, null);

  const last = n - 1;
  const lastTokens = messages[last] ?? 0;
  const usable = (s: SummaryCost) => s.upTo > 0 && s.upTo <= last;
  for (let i = 0; i < input.summaries.length; i++) {
    const s = input.summaries[i] as SummaryCost;
    if (usable(s) && fixed + s.tokens + at(s.upTo) <= budget) return plan(s.upTo, i);
  }
  let chosen: number | null = null;
  for (let i = input.summaries.length - 1; i >= 0 && chosen === null; i--) {
    const s = input.summaries[i] as SummaryCost;
    if (usable(s) && fixed + s.tokens + lastTokens <= budget) chosen = i;
  }
  const summary = chosen === null ? null : (input.summaries[chosen] as SummaryCost);
  const base = fixed + (summary?.tokens ?? 0);
  const floor = summary?.upTo ?? 0;

  const previous = input.previousStart;
  if (previous !== undefined && previous > floor && previous <= last && base + at(previous) <= budget) return plan(previous, chosen);
  if (base + lastTokens > budget) {
    // Only the last message is left, and it is too long even alone: it is cut to what remains.
    return plan(last, null, Math.max(0, budget - fixed));
  }
  const target = Math.floor(budget * (input.lowWater ?? DEFAULT_LOW_WATER));
  let start = floor;
  while (start < last && base + at(start) > target) start++;
  // Down to the low-water mark may be too far for the budget's sake alone, never too little.
  while (start < last && roles[start] !== 'user') start++;
  return plan(start, chosen);
}

export type SummaryRange = {readonly from: number; readonly to: number};

export type SummaryNeedInput = {
  /** Each message's tokens with the current model's tokenizer, template cost included. */
  readonly messages: readonly number[];
  readonly roles: readonly Role[];
  /** Messages [0, upTo) are covered by the summary there is (0: none). */
  readonly summarizedUpTo: number;
  readonly budget: number;
  /** Summarize once the turns after the summary take more than this share of the budget. */
  readonly trigger?: number;
  /** …and summarize until they take at most this share. */
  readonly target?: number;
};

export const SUMMARY_TRIGGER = 0.75;
export const SUMMARY_TARGET = 0.4;

/**
 * Which messages to summarize next, or null when the turns after the last summary still fit
 * comfortably. The range ends before a user message, so the turns left in full start with a
 * question, and never includes the last message.
 */
export function nextSummaryRange(input: SummaryNeedInput): SummaryRange | null {
  const {messages, roles, summarizedUpTo: from, budget} = input;
  const n = messages.length;
  if (n - from < 2) return null;
  const tail = tailSums(messages);
  if ((tail[from] ?? 0) <= budget * (input.trigger ?? SUMMARY_TRIGGER)) return null;
  const goal = budget * (input.target ?? SUMMARY_TARGET);
  let to = from + 1;
  while (to < n - 1 && ((tail[to] ?? 0) > goal || roles[to] !== 'user')) to++;
  if (roles[to] !== 'user' || (tail[to] ?? 0) > goal) {
    // The goal cannot be reached: keep at least the last exchange (its question and its reply)
    // whole, or only the last message when there is no user message to stop before.
    let lastUser = n - 1;
    while (lastUser > from && roles[lastUser] !== 'user') lastUser--;
    to = lastUser > from ? lastUser : n - 1;
  }
  return to > from ? {from, to} : null;
}

/**
 * How many of the messages from `from` fit a summarizer's input of `budget` tokens (at least one:
 * a message longer than the whole input is cut by the caller). Ends before a user message when it
 * can, like nextSummaryRange.
 */
export function summaryChunkEnd(messages: readonly number[], roles: readonly Role[], range: SummaryRange, budget: number): number {
  let used = 0;
  let end = range.from;
  while (end < range.to && used + (messages[end] ?? 0) <= budget) used += messages[end++] ?? 0;
  if (end === range.to) return end;
  let aligned = end;
  while (aligned > range.from + 1 && roles[aligned] !== 'user') aligned--;
  return Math.max(range.from + 1, roles[aligned] === 'user' ? aligned : end);
}

/** The marker that replaces the middle of a message cut to fit. */
export function cutMarker(characters: number): string {
  return `\n[… ${formatCount(characters)} characters cut here by mai to fit the model's context …]\n`;
}

/**
 * `text` cut to about `keepCharacters`, its beginning and end kept (a pasted document's start and
 * the question after it) around a visible marker that says how much is missing.
 */
export function cutMiddle(text: string, keepCharacters: number): string {
  const chars = Array.from(text);
  if (chars.length <= keepCharacters) return text;
  const keep = Math.max(0, keepCharacters);
  const head = Math.ceil(keep / 2);
  const tailLength = keep - head;
  return chars.slice(0, head).join('') + cutMarker(chars.length - keep) + chars.slice(chars.length - tailLength).join('');
}
