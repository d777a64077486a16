import stringWidth from 'string-width';

// Where the composer's text lands on screen: each line of the message hard-wrapped at a column
// count (by grapheme, not by word: an input box must show every character where the cursor
// expects it), and which row the cursor is on. Pure; the view and the App (its height) share it.

export type ComposerRow = {
  /** [start, end) indices into the text. */
  readonly start: number;
  readonly end: number;
  /** The last row of a line of the message: the cursor may sit just after its end. */
  readonly endsLine: boolean;
};

export type ComposerLayout = {readonly rows: readonly ComposerRow[]; readonly cursorRow: number};

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

export function layoutComposer(text: string, cursor: number, columns: number): ComposerLayout {
  const rows: ComposerRow[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    let rowStart = lineStart;
    let used = 0;
    for (const {segment, index} of segmenter.segment(line)) {
      const width = stringWidth(segment);
      if (used + width > columns && used > 0) {
        rows.push({start: rowStart, end: lineStart + index, endsLine: false});
        rowStart = lineStart + index;
        used = 0;
      }
      used += width;
    }
    rows.push({start: rowStart, end: lineStart + line.length, endsLine: true});
    lineStart += line.length + 1;
  }
  const cursorRow = rows.findIndex((row) => cursor >= row.start && (cursor < row.end || (row.endsLine && cursor === row.end)));
  return {rows, cursorRow: Math.max(0, cursorRow)};
}

/** The first row to show when at most `maxRows` fit: the top, or enough to keep the cursor's row. */
export function firstVisibleRow(layout: ComposerLayout, maxRows: number): number {
  return Math.max(0, Math.min(layout.cursorRow - maxRows + 1, layout.rows.length - maxRows));
}

/** Rows the composer needs for `text` at `columns` (before the App caps it). */
export function composerRowCount(text: string, columns: number): number {
  return layoutComposer(text, 0, columns).rows.length;
}

/** A row cut at the cursor: the text before it, the grapheme under it (a space past the end), after. */
export function splitAtCursor(
  text: string,
  row: ComposerRow,
  cursor: number,
): {readonly before: string; readonly under: string; readonly after: string} {
  if (cursor >= row.end) return {before: text.slice(row.start, row.end), under: ' ', after: ''};
  const next = segmenter.segment(text.slice(cursor, row.end))[Symbol.iterator]().next();
  const under = next.done ? ' ' : next.value.segment;
  return {before: text.slice(row.start, cursor), under, after: text.slice(cursor + under.length, row.end)};
}
