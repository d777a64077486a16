import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {PLACEHOLDER, pastedBlock, placeholderFor, placeholderIdAt, shouldCollapse, type PastedBlock} from './pasted-blocks.js';
import {graphemes} from '../src/util/graphemes.js';

// The composer's editing, as pure state-in / state-out (STYLE.md 3). The cursor is an index into
// `text` (UTF-16 code units) that always sits on a grapheme boundary: left/right/backspace move over
// whole user-perceived characters (an emoji with its modifiers, a letter with its accent).

export type ComposerState = {
  readonly text: string;
  readonly cursor: number;
  /** Collapsed pastes by id (pasted-blocks.ts); null once their placeholder is deleted. */
  readonly pastes?: readonly (PastedBlock | null)[];
};

export type Action =
  /** Typed or pasted text; a paste may contain newlines (and arrives as one action, never sends). */
  | {readonly type: 'insert'; readonly text: string}
  /** A paste: inserted as text, or as a collapsed block when it is large (pasted-blocks.ts). */
  | {readonly type: 'paste'; readonly text: string}
  /** Expands or collapses the pasted block before the cursor (else the first after it). */
  | {readonly type: 'togglePaste'}
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

export const EMPTY_COMPOSER: ComposerState = {text: '', cursor: 0, pastes: []};


export function composerReducer(state: ComposerState, action: Action): ComposerState {
  const {text, cursor} = state;
  const pastes = state.pastes ?? [];
  const at = (next: number): ComposerState => ({text, cursor: next, pastes});
  const insert = (inserted: string, blocks = pastes): ComposerState =>
    inserted === '' ? state : {text: text.slice(0, cursor) + inserted + text.slice(cursor), cursor: cursor + inserted.length, pastes: blocks};
  switch (action.type) {
    case 'insert':
      return insert(cleanInsertedText(action.text));
    case 'paste': {
      const cleaned = cleanInsertedText(action.text);
      if (!shouldCollapse(cleaned)) return insert(cleaned);
      return insert(placeholderFor(pastes.length), [...pastes, pastedBlock(cleaned)]);
    }
    case 'togglePaste': {
      const id = pasteNearCursor(text, cursor);
      const block = id === null ? null : pastes[id];
      if (id === null || !block) return state;
      return {text, cursor, pastes: pastes.with(id, {...block, expanded: !block.expanded})};
    }
    case 'newline':
      return insert('\n');
    case 'backspace': {
      if (cursor === 0) return state;
      const start = previousBoundary(text, cursor);
      return {text: text.slice(0, start) + text.slice(cursor), cursor: start, pastes: dropBlocksIn(pastes, text.slice(start, cursor))};
    }
    case 'delete': {
      if (cursor >= text.length) return state;
      const end = nextBoundary(text, cursor);
      return {text: text.slice(0, cursor) + text.slice(end), cursor, pastes: dropBlocksIn(pastes, text.slice(cursor, end))};
    }
    case 'left':
      return cursor === 0 ? state : at(previousBoundary(text, cursor));
    case 'right':
      return cursor >= text.length ? state : at(nextBoundary(text, cursor));
    case 'home':
      return at(lineStart(text, cursor));
    case 'end':
      return at(lineEnd(text, cursor));
    case 'up': {
      const start = lineStart(text, cursor);
      if (start === 0) return at(0);
      const previousStart = lineStart(text, start - 1);
      return at(atColumn(text, previousStart, start - 1, column(text, start, cursor)));
    }
    case 'down': {
      const end = lineEnd(text, cursor);
      if (end === text.length) return at(text.length);
      const nextStart = end + 1;
      return at(atColumn(text, nextStart, lineEnd(text, nextStart), column(text, lineStart(text, cursor), cursor)));
    }
    case 'clear':
      return EMPTY_COMPOSER;
  }
}

/** Blocks whose placeholder was in `removed` are dropped, so a deleted megabyte is freed. */
function dropBlocksIn(pastes: readonly (PastedBlock | null)[], removed: string): readonly (PastedBlock | null)[] {
  const id = placeholderIdAt(removed, 0);
  return id === null ? pastes : pastes.with(id, null);
}

/** The block whose placeholder is nearest before the cursor, else the first after it. */
function pasteNearCursor(text: string, cursor: number): number | null {
  let found: number | null = null;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index >= cursor && found !== null) break;
    found = placeholderIdAt(text, match.index);
    if (match.index >= cursor) break;
  }
  return found;
}

/** Line endings from a terminal paste ("\r" or "\r\n") become "\n"; escapes and controls go. */
export function cleanInsertedText(raw: string): string {
  return sanitizeForTerminal(raw.replace(/\r\n?/g, '\n')).replace(PLACEHOLDER, '');
}

function lineStart(text: string, cursor: number): number {
  // lastIndexOf reads a negative start as 0, where a leading newline would be found.
  return cursor === 0 ? 0 : text.lastIndexOf('\n', cursor - 1) + 1;
}

function lineEnd(text: string, cursor: number): number {
  const end = text.indexOf('\n', cursor);
  return end === -1 ? text.length : end;
}

export function previousBoundary(text: string, cursor: number): number {
  const start = lineStart(text, cursor);
  if (start === cursor) return cursor - 1; // the newline before this line
  let boundary = start;
  for (const {index} of graphemes(text.slice(start, cursor))) boundary = start + index;
  return boundary;
}

export function nextBoundary(text: string, cursor: number): number {
  if (text[cursor] === '\n') return cursor + 1;
  const first = graphemes(text.slice(cursor, lineEnd(text, cursor)))[Symbol.iterator]().next();
  return first.done ? cursor + 1 : cursor + first.value.segment.length;
}

/** How many graphemes lie between a line's start and the cursor. */
export function column(text: string, start: number, cursor: number): number {
  return [...graphemes(text.slice(start, cursor))].length;
}

/** The index `characters` graphemes into the line [start, end), or its end when it is shorter. */
export function atColumn(text: string, start: number, end: number, characters: number): number {
  let index = start;
  let count = 0;
  for (const {segment} of graphemes(text.slice(start, end))) {
    if (count === characters) break;
    index += segment.length;
    count += 1;
  }
  return index;
}
