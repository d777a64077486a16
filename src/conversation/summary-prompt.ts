import type {ChatMessage} from '../domain.js';
import type {SavedSummary} from './conversation-events.js';
import type {ChatEntry} from '../store.js';

// The words around a summary: what a model is asked to summarize, and how a summary it wrote is
// put in front of the recent turns. Pure text, so that both are easy to read and to test.

export const SUMMARY_INSTRUCTION =
  'You keep notes on a conversation between a user and an assistant. Summarize it in a few short ' +
  'sentences: the facts, names, numbers, decisions and open questions the assistant must remember ' +
  'to go on. Write only the summary.';

/** Longest summary asked for, in tokens (and at most a quarter of the summarizing model's context). */
export const SUMMARY_MAX_TOKENS = 256;

function speaker(entry: ChatEntry): string {
  return entry.role === 'user' ? 'User' : entry.role === 'assistant' ? 'Assistant' : 'System';
}

/** Messages as a transcript: "User: …" and "Assistant: …" paragraphs, cut replies marked. */
export function transcript(entries: readonly ChatEntry[]): string {
  return entries
    .filter((entry) => entry.text !== '')
    .map((entry) => `${speaker(entry)}: ${entry.text}${entry.interrupted ? ' [cut off]' : ''}`)
    .join('\n\n');
}

/** The request for a summary of `entries`, folding in the summary of what came before them. */
export function summaryRequest(previous: SavedSummary | null, entries: readonly ChatEntry[]): ChatMessage[] {
  const before = previous ? `Summary of the conversation before this part:\n${previous.text}\n\n` : '';
  return [
    {role: 'system', content: SUMMARY_INSTRUCTION},
    {role: 'user', content: `${before}Conversation:\n${transcript(entries)}`},
  ];
}

/** How a summary sits in the system message of a prompt, after the system prompt if there is one. */
export function systemText(systemPrompt: string, summary: SavedSummary | null): string {
  const block = summary ? `Summary of the earlier conversation (${summary.covers} messages, written by ${summary.model}):\n${summary.text}` : '';
  return [systemPrompt.trim(), block].filter((part) => part !== '').join('\n\n');
}
