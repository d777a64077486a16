import type {ChatEntry} from '../store.js';
import type {ChatMessage} from '../domain.js';
import {cutMiddle, fitConversation, promptBudget, type FitPlan, type ReplyRoom, type TemplateCost} from './context-fit.js';
import type {SavedSummary} from './conversation-events.js';
import {systemText} from './summary-prompt.js';
import type {ContextTarget, TokenCounts} from './token-counts.js';

// The prompt for one model (DESIGN.md §7): the conversation counted with its tokenizer, fitted into
// its window less the reply's room by context-fit.ts's plan, checked against the exact count when
// the backend can tell it, and the last message cut in the middle, with a mark, when it alone does
// not fit. ContextManager holds the conversation and publishes what the fit reports.

// Estimated within this many tokens a message of the budget, a prompt is counted exactly.
const ESTIMATE_SLACK_PER_MESSAGE = 2;
const EXACT_FIT_ATTEMPTS = 3;

export type PromptSettings = {
  readonly replyRoom: ReplyRoom;
  readonly systemPrompt: string;
  /** The longest reply asked of a model (engine.max_tokens); the room left in its context caps it. */
  readonly maxReplyTokens: number;
};

export type PromptInput = {
  readonly target: ContextTarget;
  /** The conversation's messages and summaries: ContextManager's own, read as they are after each count. */
  readonly entries: readonly ChatEntry[];
  readonly summaries: readonly SavedSummary[];
  readonly tokens: TokenCounts;
  readonly settings: PromptSettings;
  /** Per tokenizer, the id of the first message of the last prompt: the window stays put while it can. */
  readonly windowStart: ReadonlyMap<string, string>;
};

export type FittedPrompt = {
  readonly messages: ChatMessage[];
  /** Exact when the backend can count a whole prompt, else the estimate. */
  readonly promptTokens: number;
  /** The reply's limit: engine.max_tokens, or less when the context has less room left. */
  readonly maxTokens: number;
  readonly plan: FitPlan;
};

/**
 * The system prompt, the summary when older turns do not fit, and the newest turns that fit the
 * target's context less the reply's room; never a message cut without a mark.
 */
export async function fitPromptToWindow(input: PromptInput): Promise<FittedPrompt> {
  const {target, entries, tokens: counts, settings} = input;
  const cost = await counts.template(target);
  const tokens = await counts.messages(target, cost, entries);
  const roles = entries.map((entry) => entry.role);
  const position = new Map(entries.map((entry, i) => [entry.id, i]));
  const summaries = input.summaries.filter((summary) => position.has(summary.upTo));
  // The system message with each summary (and the system prompt, if any), counted once per tokenizer.
  const systems = [systemText(settings.systemPrompt, null), ...summaries.map((summary) => systemText(settings.systemPrompt, summary))];
  const keys = ['\0system', ...summaries.map((summary) => `\0summary:${summary.upTo}:${summary.at}`)];
  const texts = await counts.ensure(target, systems.map((text, i) => ({key: keys[i] as string, text})));
  const systemTokens = systems.map((text, i) => (text === '' ? 0 : (texts.get(keys[i] as string) ?? 0) + cost.perMessage.system));
  const fixed = cost.base + (systemTokens[0] ?? 0);
  const summaryCosts = summaries.map((summary, i) => ({upTo: position.get(summary.upTo) ?? 0, tokens: (systemTokens[i + 1] ?? 0) - (systemTokens[0] ?? 0)}));
  const previousId = input.windowStart.get(target.tokenizerId);
  const previous = previousId === undefined ? undefined : position.get(previousId);

  let budget = promptBudget(target.contextLength, settings.replyRoom);
  let plan: FitPlan | null = null;
  let messages: ChatMessage[] = [];
  let exact: number | null = null;
  for (let attempt = 0; attempt < EXACT_FIT_ATTEMPTS; attempt++) {
    plan = fitConversation({budget, fixed, messages: tokens, roles, summaries: summaryCosts, ...(previous === undefined ? {} : {previousStart: previous})});
    messages = await promptMessages(input, plan, cost, systems[plan.summary === null ? 0 : plan.summary + 1] ?? '');
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
  // Unverified estimates keep a margin, so that the reply never runs past the context.
  const left = target.contextLength - promptTokens - (exact === null ? ESTIMATE_SLACK_PER_MESSAGE * messages.length : 0);
  return {messages, promptTokens, maxTokens: Math.max(1, Math.min(settings.maxReplyTokens, left)), plan: fitted};
}

async function promptMessages(input: PromptInput, plan: FitPlan, cost: TemplateCost, system: string): Promise<ChatMessage[]> {
  const {target, entries} = input;
  const messages: ChatMessage[] = system === '' ? [] : [{role: 'system', content: system}];
  for (let i = plan.start; i < entries.length; i++) {
    const entry = entries[i] as ChatEntry;
    if (entry.text !== '') messages.push({role: entry.role, content: entry.text});
  }
  const last = entries.at(-1);
  if (plan.truncateLastTo !== null && last && messages.length > 0) {
    const room = plan.truncateLastTo - cost.perMessage[last.role];
    const known = input.tokens.known(target, last.id);
    messages[messages.length - 1] = {role: last.role, content: await cutToFit(target, last.text, known, room)};
  }
  return messages;
}

/** The text cut in the middle, with a marker, to at most `room` tokens of the target. */
export async function cutToFit(target: ContextTarget, text: string, known: number | undefined, room: number): Promise<string> {
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
