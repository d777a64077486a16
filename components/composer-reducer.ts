import {sanitizeForTerminal} from '../src/util/sanitize.js';

// The composer's editing, as pure state-in / state-out (STYLE.md 3). The cursor is an index into
// `text` (UTF-16 code units) that always sits on a grapheme boundary: left/right/backspace move over
// whole user-perceived characters (an emoji with its modifiers, a letter with its accent).

export type ComposerState = {readonly text: string; readonly cursor: number};

export type Action =
  /** Typed or pasted text; a paste may contain newlines (and arrives as one action, never sends). */
  | {readonly type: 'insert'; readonly text: string}
  | {readonly type: 'newline'}
  | {readonly type: 'backspace'}
  | {readonly type: 'delete'}
  | {readonly type: 'left'}
  | {readonly type: 'right'}
  | {readonly type: 'home'}
  | {readonly type: 'end'}
  | {readonly type: 'up'}
  | {readonly type: 'down'}
  | {readonly type: 'clear'};

export const EMPTY_COMPOSER: ComposerState = {text: '', cursor: 0};

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

export function composerReducer(state: ComposerState, action: Action): ComposerState {
  const {text, cursor} = state;
  switch (action.type) {
    case 'insert': {
      const inserted = cleanInsertedText(action.text);
      if (inserted === '') return state;
      return {text: text.slice(0, cursor) + inserted + text.slice(cursor), cursor: cursor + inserted.length};
    }
    case 'newline':
      return {text: text.slice(0, cursor) + '\n' + text.slice(cursor), cursor: cursor + 1};
    case 'backspace': {
      if (cursor === 0) return state;
      const start = previousBoundary(text, cursor);
      return {text: text.slice(0, start) + text.slice(cursor), cursor: start};
    }
    case 'delete': {
      if (cursor >= text.length) return state;
      return {text: text.slice(0, cursor) + text.slice(nextBoundary(text, cursor)), cursor};
    }
    case 'left':
      return cursor === 0 ? state : {text, cursor: previousBoundary(text, cursor)};
    case 'right':
      return cursor >= text.length ? state : {text, cursor: nextBoundary(text, cursor)};
    case 'home':
      return {text, cursor: lineStart(text, cursor)};
    case 'end':
      return {text, cursor: lineEnd(text, cursor)};
    case 'up': {
      const start = lineStart(text, cursor);
      if (start === 0) return {text, cursor: 0};
      const previousStart = lineStart(text, start - 1);
      return {text, cursor: atColumn(text, previousStart, start - 1, column(text, start, cursor))};
    }
    case 'down': {
      const end = lineEnd(text, cursor);
      if (end === text.length) return {text, cursor: text.length};
      const nextStart = end + 1;
      return {text, cursor: atColumn(text, nextStart, lineEnd(text, nextStart), column(text, lineStart(text, cursor), cursor))};
    }
    case 'clear':
      return EMPTY_COMPOSER;
  }
}

/** Line endings from a terminal paste ("\r" or "\r\n") become "\n"; escapes and controls go. */
export function cleanInsertedText(raw: string): string {
  return sanitizeForTerminal(raw.replace(/\r\n?/g, '\n'));
}

function lineStart(text: string, cursor: number): number {
  return text.lastIndexOf('\n', cursor - 1) + 1;
}

function lineEnd(text: string, cursor: number): number {
  const end = text.indexOf('\n', cursor);
  return end === -1 ? text.length : end;
}

function previousBoundary(text: string, cursor: number): number {
  const start = lineStart(text, cursor);
  if (start === cursor) return cursor - 1; // the newline before this line
  let boundary = start;
  for (const {index} of segmenter.segment(text.slice(start, cursor))) boundary = start + index;
  return boundary;
}

function nextBoundary(text: string, cursor: number): number {
  if (text[cursor] === '\n') return cursor + 1;
  const first = segmenter.segment(text.slice(cursor, lineEnd(text, cursor)))[Symbol.iterator]().next();
  return first.done ? cursor + 1 : cursor + first.value.segment.length;
}

/** How many graphemes lie between a line's start and the cursor. */
function column(text: string, start: number, cursor: number): number {
  return [...segmenter.segment(text.slice(start, cursor))].length;
}

/** The index `graphemes` characters into the line [start, end), or its end when it is shorter. */
function atColumn(text: string, start: number, end: number, graphemes: number): number {
  let index = start;
  let count = 0;
  for (const {segment} of segmenter.segment(text.slice(start, end))) {
    if (count === graphemes) break;
    index += segment.length;
    count += 1;
  }
  return index;
}
