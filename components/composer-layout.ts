import stringWidth from 'string-width';
import type {ComposerState} from './composer-reducer.js';
import {pasteLabel, placeholderIdAt, type PastedBlock} from './pasted-blocks.js';
import {graphemes, isPrintableAscii} from '../src/util/graphemes.js';

// Where the composer's text lands on screen: each line of the message hard-wrapped at a column
// count (by grapheme, not by word: an input box must show every character where the cursor
// expects it). Only the lines around the cursor are laid out, never the whole message: the work per
// key depends on the rows shown, not on how much was typed or pasted. Pure; the view and the App
// (its height) share it.

export type ComposerRow =
  /** [start, end) indices into the text; `endsLine`: the cursor may sit just after its end. */
  | {readonly kind: 'text'; readonly start: number; readonly end: number; readonly endsLine: boolean}
  /** A row of an expanded pasted block's own text, under its label. */
  | {readonly kind: 'pasted'; readonly text: string};

export type ComposerWindow = {
  /** At most `maxRows` rows, the cursor's among them. */
  readonly rows: readonly ComposerRow[];
  readonly cursorRow: number;
  /** The first row shown is the message's first (it gets the "> " prompt). */
  readonly atTop: boolean;
};

/** An expanded block's wrapped rows, per block and width: wrapping a megabyte once, not per key. */
const expandedRows = new WeakMap<PastedBlock, {readonly columns: number; readonly rows: readonly ComposerRow[]}>();

/** The rows the composer shows: the cursor's row last when the text is taller, else from the top. */
export function composerWindow({text, cursor, pastes = []}: ComposerState, columns: number, maxRows: number): ComposerWindow {
  const start = lineStartOf(text, cursor);
  const line = layoutLine(text, start, lineEndOf(text, cursor), columns, pastes);
  const index = line.findIndex((row) => row.kind === 'text' && containsCursor(row, cursor));
  const cursorIndex = Math.max(0, index);
  let before = line.slice(0, cursorIndex);
  let topReached = start === 0;
  for (let end = start - 1; before.length < maxRows - 1 && end >= 0; ) {
    const previousStart = lineStartOf(text, end);
    before = [...layoutLine(text, previousStart, end, columns, pastes), ...before];
    topReached = previousStart === 0;
    end = previousStart - 1;
  }
  if (before.length >= maxRows - 1) {
    const shown = before.slice(before.length - (maxRows - 1));
    return {rows: [...shown, line[cursorIndex]!], cursorRow: shown.length, atTop: topReached && shown.length === before.length};
  }
  let after = line.slice(cursorIndex + 1);
  for (let next = lineEndOf(text, cursor) + 1; before.length + 1 + after.length < maxRows && next <= text.length; ) {
    const end = lineEndOf(text, next);
    after = [...after, ...layoutLine(text, next, end, columns, pastes)];
    next = end + 1;
  }
  const rows = [...before, line[cursorIndex]!, ...after].slice(0, maxRows);
  return {rows, cursorRow: before.length, atTop: true};
}

/** Rows the composer needs at `columns`, counted up to `limit` (the App caps the composer there). */
export function composerRowCount({text, pastes = []}: ComposerState, columns: number, limit: number): number {
  let count = 0;
  for (let start = 0; count < limit && start <= text.length; ) {
    const end = lineEndOf(text, start);
    count += layoutLine(text, start, end, columns, pastes).length;
    start = end + 1;
  }
  return Math.min(count, limit);
}

/** The rows of the message's line [start, end): its text wrapped, an expanded block's rows inside. */
function layoutLine(text: string, start: number, end: number, columns: number, pastes: readonly (PastedBlock | null)[]): ComposerRow[] {
  const rows: ComposerRow[] = [];
  if (isPrintableAscii(text.slice(start, end))) {
    // One column per character and no pasted block in it (what is typed, and the empty composer
    // of the first frame): cut by count.
    for (let at = start; at < end || at === start; at += columns) rows.push({kind: 'text', start: at, end: Math.min(at + columns, end), endsLine: at + columns >= end});
    return rows;
  }
  let rowStart = start;
  let used = 0;
  for (const {segment, index} of graphemes(text.slice(start, end))) {
    const at = start + index;
    const id = placeholderIdAt(segment, 0);
    const block = id === null ? null : (pastes[id] ?? null);
    if (block?.expanded) {
      // The label on a row of its own, the block's rows below it, the line going on after them.
      if (at > rowStart) rows.push({kind: 'text', start: rowStart, end: at, endsLine: false});
      rows.push({kind: 'text', start: at, end: at + segment.length, endsLine: false}, ...blockRows(block, columns));
      rowStart = at + segment.length;
      used = 0;
      continue;
    }
    const width = block ? stringWidth(pasteLabel(block)) : stringWidth(segment);
    if (used + width > columns && used > 0) {
      rows.push({kind: 'text', start: rowStart, end: at, endsLine: false});
      rowStart = at;
      used = 0;
    }
    used += width;
  }
  rows.push({kind: 'text', start: rowStart, end, endsLine: true});
  return rows;
}

function blockRows(block: PastedBlock, columns: number): readonly ComposerRow[] {
  const cached = expandedRows.get(block);
  if (cached?.columns === columns) return cached.rows;
  const rows: ComposerRow[] = [];
  for (const line of block.text.replace(/\n$/, '').split('\n')) {
    if (isPrintableAscii(line)) {
      // One column per character: cut by count (a log or source file, the usual large paste).
      for (let at = 0; at < line.length || at === 0; at += columns) rows.push({kind: 'pasted', text: line.slice(at, at + columns)});
      continue;
    }
    let row = '';
    let used = 0;
    for (const {segment} of graphemes(line)) {
      const width = stringWidth(segment);
      if (used + width > columns && used > 0) {
        rows.push({kind: 'pasted', text: row});
        row = '';
        used = 0;
      }
      row += segment;
      used += width;
    }
    rows.push({kind: 'pasted', text: row});
  }
  expandedRows.set(block, {columns, rows});
  return rows;
}

function containsCursor(row: {readonly start: number; readonly end: number; readonly endsLine: boolean}, cursor: number): boolean {
  return cursor >= row.start && (cursor < row.end || (row.endsLine && cursor === row.end));
}

function lineStartOf(text: string, cursor: number): number {
  return cursor === 0 ? 0 : text.lastIndexOf('\n', cursor - 1) + 1;
}

function lineEndOf(text: string, cursor: number): number {
  const end = text.indexOf('\n', cursor);
  return end === -1 ? text.length : end;
}

/** A row cut at the cursor: the text before it, the grapheme under it (a space past the end), after. */
export function splitAtCursor(
  text: string,
  row: {readonly start: number; readonly end: number},
  cursor: number,
): {readonly before: string; readonly under: string; readonly after: string} {
  if (cursor >= row.end) return {before: text.slice(row.start, row.end), under: ' ', after: ''};
  const next = graphemes(text.slice(cursor, row.end))[Symbol.iterator]().next();
  const under = next.done ? ' ' : next.value.segment;
  return {before: text.slice(row.start, cursor), under, after: text.slice(cursor + under.length, row.end)};
}
