import type {ChatEntry, State} from '../../src/store.js';
import {messageLines, type ChatLine, type LineOptions} from '../MessageLines.js';
import {findHits, type SearchHit} from './chat-search.js';

// The hits of the search in progress over the chat as drawn (the same wrapped lines, so a hit's
// line number is a scroll position). The chat pane and the search bar both ask; the last answer is
// kept, so a frame computes it once, and only while the query or the conversation changes.

/** The searchable text of a screen line: message text and thinking; headers and gaps have none. */
function lineText(line: ChatLine): string {
  return line.kind === 'text' || line.kind === 'thinking' ? line.text : '';
}

export type ChatHits = {readonly hits: readonly SearchHit[]; readonly totalLines: number};

let last: {messages: readonly ChatEntry[]; width: number; thinkingShown: boolean; query: string; result: ChatHits} | null = null;

export function chatHits(messages: readonly ChatEntry[], width: number, query: string, {thinkingShown = false}: LineOptions = {}): ChatHits {
  if (last && last.messages === messages && last.width === width && last.thinkingShown === thinkingShown && last.query === query) return last.result;
  const texts = messages.flatMap((entry) => messageLines(entry, width, {thinkingShown}).map(lineText));
  const result = {hits: findHits(texts, query), totalLines: texts.length};
  last = {messages, width, thinkingShown, query, result};
  return result;
}

/** The line options the chat is drawn with now. */
export function lineOptions(state: State): LineOptions {
  return {thinkingShown: state.view.thinkingShown};
}
