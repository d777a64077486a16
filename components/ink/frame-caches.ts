import {ansiCodesToString, diffAnsiCodes, type StyledChar} from '@alcalzone/ansi-tokenize';
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
// share one object; a row whose cells are the very objects of the last frame's row keeps that
// row's string instead of building it again; and a row that changed becomes a string with styles
// diffed only where they change (rowString). The frames are the same (test/tui/frame-caches.test.tsx
// compares them with Ink's own get on the same operations).

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
type Cell = StyledChar | undefined;

const BLANK: StyledChar = Object.freeze({type: 'char', value: ' ', fullWidth: false, styles: []}) as StyledChar;
// The empty cells after a wide character, one per character object, so that they too stay the same objects.
const fillers = new WeakMap<StyledChar, StyledChar>();

// Ink's caches of the last frame: a line this frame draws again takes what they know.
let lastCaches: Caches | undefined;
let lastRows: Cell[][] = [];
let spareRows: Cell[][] = [];
let lastStrings: readonly string[] = [];

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

function filler(character: StyledChar): StyledChar {
  let cell = fillers.get(character);
  if (!cell) fillers.set(character, (cell = {type: 'char', value: '', fullWidth: false, styles: character.styles}));
  return cell;
}

function sameCells(a: readonly Cell[], b: readonly Cell[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function write(output: Cell[][], operation: Extract<Operation, {type: 'write'}>, clip: Clip | undefined, caches: Caches): void {
  const {text, transformers} = operation;
  let {x, y} = operation;
  let lines = text.split('\n');
  if (clip) {
    const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
    const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
    if (clipHorizontally) {
      const width = caches.getWidestLine(text);
      if (x + width < (clip.x1 as number) || x > (clip.x2 as number)) return;
    }
    if (clipVertically && (y + lines.length < (clip.y1 as number) || y > (clip.y2 as number))) return;
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
  let offsetY = 0;
  for (let index = 0; index < lines.length; index++) {
    const row = output[y + offsetY];
    if (!row) continue;
    let line = lines[index] as string;
    for (const transformer of transformers) line = transformer(line, index);
    const cells = laidOut(line, caches);
    for (let i = 0; i < cells.length; i++) row[x + i] = cells[i];
    offsetY++;
  }
}

// A line's cells as Ink places them: each character, and after a wide one its empty filler cells.
// Kept for the next frame like Ink's caches, so a line drawn again is copied, not measured again.
let laidNow = new Map<string, Cell[]>();
let laidLast = new Map<string, Cell[]>();

function laidOut(line: string, caches: Caches): Cell[] {
  return carried(laidNow, laidLast, line, () => {
    const cells: Cell[] = [];
    for (const character of caches.getStyledChars(line)) {
      cells.push(character);
      const characterWidth = Math.max(1, caches.getStringWidth(character.value));
      for (let i = 1; i < characterWidth; i++) cells.push(filler(character));
    }
    laidNow.set(line, cells);
    return cells;
  });
}

function sameStyles(a: StyledChar['styles'], b: StyledChar['styles']): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]?.code !== b[i]?.code) return false;
  return true;
}

/**
 * ansi-tokenize's styledCharsToString, the same string: it diffs the styles of every pair of
 * neighbouring characters (three Sets and four arrays a character: a third of what the idle chat
 * allocated, and a young-generation collection every second or so). Neighbours almost always
 * share their styles, and the diff of equal styles is empty: only a change of style is diffed.
 */
function rowString(chars: readonly StyledChar[]): string {
  let ret = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as StyledChar;
    if (i === 0) ret += ansiCodesToString(char.styles);
    else {
      const previous = (chars[i - 1] as StyledChar).styles;
      if (!sameStyles(previous, char.styles)) ret += ansiCodesToString(diffAnsiCodes(previous, char.styles));
    }
    ret += char.value;
    if (i === chars.length - 1) ret += ansiCodesToString(diffAnsiCodes(char.styles, []));
  }
  return ret;
}

function get(this: InkOutput): {output: string; height: number} {
  const caches = carriedCaches(this.caches, lastCaches);
  lastCaches = this.caches;
  laidLast = laidNow;
  laidNow = new Map();
  // Rows are reused every other frame (the last frame's are compared with this one's).
  const output = spareRows;
  output.length = this.height;
  for (let y = 0; y < this.height; y++) {
    const row = output[y];
    if (row && row.length === this.width) row.fill(BLANK);
    else output[y] = new Array<Cell>(this.width).fill(BLANK);
  }
  const clips: Clip[] = [];
  for (const operation of this.operations) {
    if (operation.type === 'clip') clips.push(operation.clip);
    else if (operation.type === 'unclip') clips.pop();
    else write(output, operation, clips.at(-1), caches);
  }
  const strings = output.map((row, y) =>
    sameCells(row, lastRows[y]) ? (lastStrings[y] as string) : rowString(row.filter((cell): cell is StyledChar => cell !== undefined)).trimEnd(),
  );
  spareRows = lastRows;
  lastRows = output;
  lastStrings = strings;
  return {output: strings.join('\n'), height: output.length};
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
  return original;
}
