import * as ansiTokenize from '@alcalzone/ansi-tokenize';
import {ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, tokenize, type AnsiCode, type StyledChar} from '@alcalzone/ansi-tokenize';
import sliceAnsi from 'slice-ansi';
import Output, {type InkOutputClass} from './ink-output-class.js';

// Ink 6.8 builds every frame from nothing: a new Output whose caches start empty, a new object
// for every cell of the screen, every line ANSI-tokenized again and every row turned back into a
// string, although a keystroke or a streamed token changes one or two rows. In profiles of typing,
// idling and streaming that was most of the UI process's CPU time (and most of its garbage).
//
// Here Output.get is Ink's own algorithm (ink/build/output.js, 6.8) with these changes: what is
// known about a line (its styled characters, its width, its cells as placed in a row) is carried
// from the last frame to the next, for the lines the next frame uses again (two frames' worth at
// most: a cache of every line ever drawn held tens of MB of per-character objects); empty cells
// share one object; a row whose lines are last frame's (the same cells at the same columns) keeps
// that row's string without being built at all; and a row that changed becomes a string with
// styles changed only where they change (builtRow). The frames are the same
// (test/tui/frame-caches.test.tsx compares them with Ink's own get on the same operations).
//
// With these caches installed, Ink's renderer also replays a box none of whose nodes changed (the
// patch to render-node-to-output.js in scripts/ink-patches.js): its operations are last frame's
// very objects, and where each lands is kept with it. A frame then costs the boxes and the rows
// that changed, not the whole screen.

type Clip = {x1?: number; x2?: number; y1?: number; y2?: number};
type Operation =
  | {type: 'write'; x: number; y: number; text: string; transformers: readonly ((line: string, index: number) => string)[]}
  | {type: 'clip'; clip: Clip}
  | {type: 'unclip'};
type Caches = {
  readonly styledChars: Map<string, StyledChar[]>;
  readonly widths: Map<string, number>;
  readonly blockWidths: Map<string, number>;
  getStyledChars(line: string): StyledChar[];
  getStringWidth(text: string): number;
  getWidestLine(text: string): number;
};
type InkOutput = {width: number; height: number; operations: Operation[]; caches: Caches};
type Styles = StyledChar['styles'];
/** A character as placed in a row: its text and its styles, interned (see `interned`). */
type Cell = {readonly value: string; readonly styles: Styles};
/** A write, with where its lines landed the last time it was placed (kept on the replayed object). */
type Write = Extract<Operation, {type: 'write'}> & {placement?: Placement};
/** One line of a write as it lands: its cells from column `x` of row `y`. */
type Span = {readonly y: number; readonly x: number; readonly cells: readonly Cell[]};
/** Where a write's lines land, under one clip in a frame of one height. */
type Placement = {readonly clip: Clip | undefined; readonly height: number; readonly spans: readonly Span[]};

// Styles are interned: each set of styles (the same codes in the same order) is one array, so a
// row compares its neighbours' styles by identity and finds the codes between two styles in a
// table instead of diffing them (ansi-tokenize's diff builds three Sets and four arrays a call).
// A frame holds a few sets of styles (the chat's colours), so these tables stay small.
const interned = new Map<string, Styles>();
const NO_STYLES: Styles = [];
/** The codes that go from one set of styles to another, by interned styles. */
const transitions = new Map<Styles, Map<Styles, string>>();
// One cell per styles for the empty cells after a wide character.
const fillers = new Map<Styles, Cell>();

// Every cell is made here, so that code reading cells sees one shape of object.
function cell(value: string, styles: Styles): Cell {
  return {value, styles};
}

const BLANK = cell(' ', NO_STYLES);

// Ink's caches of the last frame: a line this frame draws again takes what they know.
let lastCaches: Caches | undefined;
// Each row's spans, this frame's and last frame's (reused every other frame), and last frame's strings.
let lastSpans: Span[][] = [];
let spareSpans: Span[][] = [];
let lastStrings: readonly string[] = [];
let lastWidth = -1;
/** A row being built: reused for every row that changed. */
const scratch: (Cell | undefined)[] = [];

function isInkOutput(output: unknown): output is InkOutput {
  const candidate = output as Partial<InkOutput>;
  const caches = candidate.caches;
  return (
    Array.isArray(candidate.operations) &&
    typeof caches?.getStyledChars === 'function' &&
    caches.styledChars instanceof Map &&
    caches.widths instanceof Map &&
    caches.blockWidths instanceof Map
  );
}

/** `key`'s entry in this frame's `map`, else last frame's (carried over), else computed by Ink. */
function carried<T>(map: Map<string, T>, last: Map<string, T> | undefined, key: string, compute: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = last?.get(key);
    if (value === undefined) return compute();
    map.set(key, value);
  }
  return value;
}

/** Ink's caches of this frame, taking what the last frame knew of the lines it draws again. */
function carriedCaches(caches: Caches, last: Caches | undefined): Caches {
  return {
    styledChars: caches.styledChars,
    widths: caches.widths,
    blockWidths: caches.blockWidths,
    getStyledChars: (line) => carried(caches.styledChars, last?.styledChars, line, () => caches.getStyledChars(line)),
    getStringWidth: (text) => carried(caches.widths, last?.widths, text, () => caches.getStringWidth(text)),
    getWidestLine: (text) => carried(caches.blockWidths, last?.blockWidths, text, () => caches.getWidestLine(text)),
  };
}

function internedStyles(styles: Styles): Styles {
  if (styles.length === 0) return NO_STYLES;
  let key = (styles[0] as Styles[number]).code;
  for (let i = 1; i < styles.length; i++) key += `\0${(styles[i] as Styles[number]).code}`;
  let known = interned.get(key);
  if (!known) interned.set(key, (known = styles));
  return known;
}

function filler(styles: Styles): Cell {
  let known = fillers.get(styles);
  if (!known) fillers.set(styles, (known = cell('', styles)));
  return known;
}

/**
 * `compute(a, b)`, kept in `table` by `a` then `b`. Both tables of this file are of this shape and
 * stay small (a few sets of styles, a few sequences). `compute` takes its inputs as arguments, not
 * from a closure, so that a hit allocates nothing.
 */
function memoized<A, B, V>(table: Map<A, Map<B, V>>, a: A, b: B, compute: (a: A, b: B) => V): V {
  let row = table.get(a);
  if (!row) table.set(a, (row = new Map()));
  let value = row.get(b);
  if (value === undefined) row.set(b, (value = compute(a, b)));
  return value;
}

const codesBetween = (from: Styles, to: Styles): string => ansiCodesToString(diffAnsiCodes(from, to));

/** ansi-tokenize's codes from `from` to `to` (both interned), as its styledCharsToString writes them. */
function transition(from: Styles, to: Styles): string {
  return memoized(transitions, from, to, codesBetween);
}

function sameSpans(a: readonly Span[], b: readonly Span[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const span = a[i] as Span;
    const other = b[i] as Span;
    if (span !== other && (span.x !== other.x || span.cells !== other.cells)) return false;
  }
  return true;
}

/**
 * Where `operation`'s lines land. A replayed operation is the same object frame after frame: where
 * it lands is kept on it (a property: a WeakMap cost more than it saved) while its clip and the
 * frame's height stay.
 */
function placed(operation: Write, clip: Clip | undefined, height: number, caches: Caches): readonly Span[] {
  const known = operation.placement;
  if (known && known.clip === clip && known.height === height) return known.spans;
  const spans = spansOf(operation, clip, height, caches);
  operation.placement = {clip, height, spans};
  return spans;
}

function spansOf(operation: Write, clip: Clip | undefined, height: number, caches: Caches): Span[] {
  const {text, transformers} = operation;
  let {x, y} = operation;
  let lines = text.split('\n');
  if (clip) {
    const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
    const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
    if (clipHorizontally) {
      const width = caches.getWidestLine(text);
      if (x + width < (clip.x1 as number) || x > (clip.x2 as number)) return [];
    }
    if (clipVertically && (y + lines.length < (clip.y1 as number) || y > (clip.y2 as number))) return [];
    if (clipHorizontally) {
      const x1 = clip.x1 as number;
      const x2 = clip.x2 as number;
      lines = lines.map((line) => {
        const from = x < x1 ? x1 - x : 0;
        const width = caches.getStringWidth(line);
        const to = x + width > x2 ? x2 - x : width;
        return sliceAnsi(line, from, to);
      });
      if (x < x1) x = x1;
    }
    if (clipVertically) {
      const y1 = clip.y1 as number;
      const y2 = clip.y2 as number;
      const from = y < y1 ? y1 - y : 0;
      const to = y + lines.length > y2 ? y2 - y : lines.length;
      lines = lines.slice(from, to);
      if (y < y1) y = y1;
    }
  }
  const spans: Span[] = [];
  let offsetY = 0;
  for (let index = 0; index < lines.length; index++) {
    // As Ink does, a line whose row the frame does not have is skipped without moving on a row.
    const row = y + offsetY;
    if (!Number.isInteger(row) || row < 0 || row >= height) continue;
    let line = lines[index] as string;
    for (const transformer of transformers) line = transformer(line, index);
    spans.push({y: row, x, cells: laidOut(line, caches)});
    offsetY++;
  }
  return spans;
}

// A line's cells as Ink places them: each character, and after a wide one its empty filler cells.
// Kept for the next frame like Ink's caches, so a line drawn again is copied, not measured again.
let laidNow = new Map<string, Cell[]>();
let laidLast = new Map<string, Cell[]>();

// Whether a line is narrow characters and escape sequences only (one grapheme one column wide per
// character): the patched ansi-tokenize's own test (scripts/ink-patches.js). Without the patch
// (nothing here needs it) every line is tokenized.
const isNarrowLine = (ansiTokenize as {isNarrowLine?: (line: string) => boolean}).isNarrowLine;
/** The styles after an SGR sequence, by the styles before it and the sequence. */
const afterSgr = new Map<Styles, Map<string, Styles>>();
const M = 0x6d;
const SEMICOLON = 0x3b;
const ZERO = 0x30;
const NINE = 0x39;

/** Where the SGR sequence starting at `at` (an ESC) ends, as ansi-tokenize reads one: -1 if none. */
function sgrEnd(line: string, at: number): number {
  if (line.charCodeAt(at + 1) !== 0x5b) return -1;
  for (let i = at + 2; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === M) return i;
    if (code !== SEMICOLON && (code < ZERO || code > NINE)) return -1;
  }
  return -1;
}

// ansi-tokenize's own reading of the sequence (compound codes split, each with its end code) and
// its own reduction, as styledCharsFromTokens applies them.
const readSgr = (styles: Styles, sequence: string): Styles =>
  internedStyles(reduceAnsiCodesIncremental(styles, tokenize(sequence).filter((token): token is AnsiCode => token.type === 'ansi')));

function stylesAfter(styles: Styles, sequence: string): Styles {
  return memoized(afterSgr, styles, sequence, readSgr);
}

/**
 * A narrow line's cells without tokenizing it: each character one cell with the styles its SGR
 * sequences leave, what ansi-tokenize and Ink's placing make of it. Undefined for an escape
 * sequence other than SGR, or a BEL: the tokenizer's own rules lay those out.
 */
function narrowCells(line: string): Cell[] | undefined {
  const cells: Cell[] = [];
  let styles = NO_STYLES;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 0x1b) {
      const end = sgrEnd(line, i);
      if (end < 0) return undefined;
      styles = stylesAfter(styles, line.slice(i, end + 1));
      i = end;
    } else if (code === 0x07) return undefined;
    else cells.push(cell(line[i] as string, styles));
  }
  return cells;
}

function laidOut(line: string, caches: Caches): Cell[] {
  return carried(laidNow, laidLast, line, () => {
    const narrow = isNarrowLine?.(line) ? narrowCells(line) : undefined;
    if (narrow) {
      laidNow.set(line, narrow);
      return narrow;
    }
    const cells: Cell[] = [];
    // Neighbours almost always share their styles (ansi-tokenize copies them for each character).
    let raw: Styles | undefined;
    let styles = NO_STYLES;
    for (const character of caches.getStyledChars(line)) {
      if (character.styles !== raw) {
        raw = character.styles;
        styles = internedStyles(raw);
      }
      cells.push(cell(character.value, styles));
      const characterWidth = Math.max(1, caches.getStringWidth(character.value));
      for (let i = 1; i < characterWidth; i++) cells.push(filler(styles));
    }
    laidNow.set(line, cells);
    return cells;
  });
}

/**
 * A row's string from its spans, placed over blank cells in order, as Ink places its writes: the
 * string ansi-tokenize's styledCharsToString makes of it, styles changed only where they change.
 * Ink skips the row's holes (a write past the row's end leaves some), and so does this.
 */
function builtRow(spans: readonly Span[], width: number): string {
  const row = scratch;
  row.length = width;
  row.fill(BLANK);
  for (let s = 0; s < spans.length; s++) {
    const {x, cells} = spans[s] as Span;
    for (let i = 0; i < cells.length; i++) row[x + i] = cells[i];
  }
  let text = '';
  let styles = NO_STYLES;
  for (let i = 0; i < row.length; i++) {
    const placed = row[i];
    if (placed === undefined) continue;
    if (placed.styles !== styles) {
      text += transition(styles, placed.styles);
      styles = placed.styles;
    }
    text += placed.value;
  }
  return (text + transition(styles, NO_STYLES)).trimEnd();
}

function get(this: InkOutput): {output: string; height: number} {
  const caches = carriedCaches(this.caches, lastCaches);
  lastCaches = this.caches;
  laidLast = laidNow;
  laidNow = new Map();
  const {width, height} = this;
  const rows = spareSpans;
  rows.length = height;
  for (let y = 0; y < height; y++) {
    const row = rows[y];
    if (row) row.length = 0;
    else rows[y] = [];
  }
  const clips: Clip[] = [];
  // Index loops: this runs for every operation of every frame, much of it before V8 optimizes it,
  // and an unoptimized for-of makes an iterator result for each element.
  const {operations} = this;
  for (let o = 0; o < operations.length; o++) {
    const operation = operations[o] as Operation;
    if (operation.type === 'clip') clips.push(operation.clip);
    else if (operation.type === 'unclip') clips.pop();
    else {
      const spans = placed(operation, clips.at(-1), height, caches);
      for (let s = 0; s < spans.length; s++) {
        const span = spans[s] as Span;
        (rows[span.y] as Span[]).push(span);
      }
    }
  }
  const sameWidth = width === lastWidth;
  const strings = rows.map((spans, y) => (sameWidth && sameSpans(spans, lastSpans[y]) ? (lastStrings[y] as string) : builtRow(spans, width)));
  spareSpans = lastSpans;
  lastSpans = rows;
  lastStrings = strings;
  lastWidth = width;
  return {output: strings.join('\n'), height};
}

let inksGet: (() => {output: string; height: number}) | undefined;

/**
 * Puts this get in place of Ink's (idempotent) and returns Ink's own, for the test that compares
 * them. An Output that is not the shape Ink 6.8 builds is left to Ink's get.
 */
export function shareInkFrameCaches(OutputClass: InkOutputClass = Output): () => {output: string; height: number} {
  if (inksGet) return inksGet;
  const original = OutputClass.prototype.get;
  inksGet = original;
  OutputClass.prototype.get = function patchedGet(this: unknown) {
    return isInkOutput(this) ? get.call(this) : original.call(this);
  };
  // Ink's renderer (as scripts/ink-patches.js has it) replays the boxes that did not change only
  // into an Output whose get is this one.
  OutputClass.prototype.replays = true;
  return original;
}
