import type {Notice, NoticeLevel} from '../src/store.js';
import {wrapText} from './MessageLines.js';
import {helpSections, keyProblems, type KeyTable} from './keys.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {oneLine} from './status-line.js';

// The help overlay as rows: the key sections (in one or two columns), then the last notices whole.
// Where the terminal is too short for all of them, the rows scroll (the overlay's keys layer moves
// the offset with the same function, so both agree on where the end is). Pure: no Ink here.

export type HelpCell =
  | {readonly kind: 'title'; readonly text: string}
  /** A key and one line of its description; a description too long for the column goes on under it. */
  | {readonly kind: 'key'; readonly keys: string; readonly text: string}
  | {readonly kind: 'blank'}
  /** One line of a wrapped notice; the first carries its clock. */
  | {readonly kind: 'notice'; readonly clock: string | null; readonly text: string; readonly level: NoticeLevel};

/** One screen row: a cell for each column of keys, or one cell across them (notices, blank rows). */
export type HelpRow = readonly HelpCell[];

export type HelpLayout = {
  /** The width inside the panel (a row of one cell spans it), and each key column's. */
  readonly innerWidth: number;
  readonly columnWidth: number;
  /** The rows to draw, top to bottom, at most `room` of them. */
  readonly rows: readonly HelpRow[];
  /** The first row shown, and the largest it can be (0 when everything fits). */
  readonly offset: number;
  readonly maxOffset: number;
  /** All the rows there are, and how many the overlay shows at once. */
  readonly total: number;
  readonly room: number;
};

/** Two columns of sections when each gets at least this much. */
const MIN_COLUMN_WIDTH = 44;
/** The columns a key cell gives its keys, before the description. */
export const HELP_KEYS_COLUMNS = 18;
const BLANK: HelpCell = {kind: 'blank'};

/** "12:04:31" in the terminal's local time. */
function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/** A section's title, its keys (a description too long for the column on lines under it), a blank. */
function sectionCells(section: ReturnType<typeof helpSections>[number], bindings: KeyTable, width: number): HelpCell[] {
  const room = Math.max(1, width - HELP_KEYS_COLUMNS);
  return [
    {kind: 'title', text: section.title},
    ...section.ids.flatMap((id) =>
      wrapText(bindings[id].description, room).map((text, i): HelpCell => ({kind: 'key', keys: i === 0 ? bindings[id].keys : '', text})),
    ),
    BLANK,
  ];
}

/**
 * The sections, in one column or split in two side by side: in their order, the first ones on the
 * left, split where the taller column is the shortest (sections differ in length, and descriptions
 * wrap). Each section is laid out once; the split only adds up their rows.
 */
function keyRows(columns: 1 | 2, bindings: KeyTable, width: number): HelpRow[] {
  const blocks = helpSections().map((section) => sectionCells(section, bindings, width));
  if (columns === 1) return blocks.flat().map((cell) => [cell]);
  const total = blocks.reduce((rows, block) => rows + block.length, 0);
  let split = blocks.length;
  let tallest = total;
  let above = 0;
  for (let at = 1; at < blocks.length; at++) {
    above += blocks[at - 1]?.length ?? 0;
    const taller = Math.max(above, total - above);
    if (taller < tallest) [split, tallest] = [at, taller];
  }
  const left = blocks.slice(0, split).flat();
  const right = blocks.slice(split).flat();
  return Array.from({length: Math.max(left.length, right.length)}, (_, i) => [left[i] ?? BLANK, right[i] ?? BLANK]);
}

/** "Recent notices" and each notice wrapped to the width, its clock first; oldest first. */
function noticeRows(notices: readonly Notice[], width: number): HelpRow[] {
  if (notices.length === 0) return [];
  const rows: HelpRow[] = [[{kind: 'title', text: 'Recent notices'}]];
  for (const notice of notices) {
    const time = clock(notice.at);
    wrapText(`${time} ${oneLine(notice.text)}`, width).forEach((line, i) => {
      const cell: HelpCell =
        i === 0 ? {kind: 'notice', clock: time, text: line.slice(time.length), level: notice.level} : {kind: 'notice', clock: null, text: line, level: notice.level};
      rows.push([cell]);
    });
  }
  return rows;
}

/** The lines under the rows, which never scroll: the config's key problems and the closing hint. */
export function helpFooterRows(): number {
  return keyProblems().length + 1;
}

export type HelpLayoutInput = {
  /** The overlay's outer size, borders included. */
  readonly width: number;
  readonly height: number;
  /** The keys in force (activeBindings()): the names the key cells show. */
  readonly bindings: KeyTable;
  readonly notices: readonly Notice[];
  /** helpFooterRows() */
  readonly footerRows: number;
  /** The first row wanted (clamped here). */
  readonly offset: number;
};

/**
 * Where everything fits, the keys are at the top and the notices at the bottom, over the footer.
 * Where not, the keys and then the notices scroll as one list in the rows there are.
 */
export function helpLayout({width, height, bindings, notices, footerRows, offset}: HelpLayoutInput): HelpLayout {
  const inner = Math.max(1, width - PANEL_CHROME_COLUMNS);
  const columns = inner >= MIN_COLUMN_WIDTH * 2 + 2 ? 2 : 1;
  const columnWidth = columns === 2 ? Math.floor((inner - 2) / 2) : inner;
  const room = Math.max(1, height - PANEL_CHROME_ROWS - footerRows);
  const keys = keyRows(columns, bindings, columnWidth);
  const news = noticeRows(notices, inner);
  const total = keys.length + news.length;
  if (total <= room) {
    // A blank row parts the notices from the footer where there is one to spare.
    const under = news.length > 0 && total < room ? [[BLANK]] : [];
    const gap = Array.from({length: room - total - under.length}, () => [BLANK]);
    return {innerWidth: inner, columnWidth, rows: [...keys, ...gap, ...news, ...under], offset: 0, maxOffset: 0, total, room};
  }
  const maxOffset = total - room;
  const first = Math.max(0, Math.min(maxOffset, offset));
  return {innerWidth: inner, columnWidth, rows: [...keys, ...news].slice(first, first + room), offset: first, maxOffset, total, room};
}

/** The closing hint, and where the rows scroll, how (with the keys in force) and where the view is. */
export function helpFooter(bindings: KeyTable, layout: HelpLayout): string {
  const close = `${bindings.stop.keys}, ${bindings.help.keys} close this help`;
  if (layout.maxOffset === 0) return close;
  const last = Math.min(layout.total, layout.offset + layout.room);
  return `${close} · ${bindings.cursorUp.keys}${bindings.cursorDown.keys} ${bindings.scrollUp.keys} ${bindings.scrollDown.keys} scroll · ${layout.offset + 1}–${last} of ${layout.total}`;
}
