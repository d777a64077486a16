import wrapAnsi from 'wrap-ansi';
import type {ChatEntry} from '../src/store.js';
import type {Role} from '../src/domain.js';
import {isPrintableAscii} from '../src/util/graphemes.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {foldedThinkingLine, hasThinking, splitThinking} from './chat/think-blocks.js';
import {KEY_BINDINGS} from './keys.js';

// The chat as screen lines: each message sanitized and wrapped to the pane width once, then cached,
// so scrolling, a new message or a keystroke in the composer never re-wraps the whole conversation.

export type ChatLine =
  | {readonly kind: 'header'; readonly role: Role; readonly label: string; readonly interrupted: boolean}
  | {readonly kind: 'text'; readonly text: string}
  | {readonly kind: 'gap'}
  /** A switch of model before (or during) the reply below it. */
  | {readonly kind: 'divider'; readonly text: string}
  /** A reasoning model's thinking: folded to one line, or one of its lines when shown. */
  | {readonly kind: 'thinking'; readonly text: string};

/** How the chat is drawn besides the width: `<think>` blocks shown in full or folded. */
export type LineOptions = {readonly thinkingShown?: boolean};

export type ChatWindow = {
  /** The lines to show, oldest first, at most `rows` of them. */
  readonly lines: readonly ChatLine[];
  /** Lines below the window (0 when following new output). */
  readonly offset: number;
  /** The largest useful scroll offset: the first line at the top of the pane. */
  readonly maxOffset: number;
};

/** The name shown above a message: "you", the model's key for replies. */
export function roleLabel(role: Role, model?: string): string {
  if (role === 'user') return 'you';
  if (role === 'system') return 'system';
  // Model keys come from file names: sanitized like any model text.
  return sanitizeForTerminal(model ?? 'assistant').replace(/\n/g, ' ') || 'assistant';
}

/** Sanitized text wrapped to `width` columns (hard-wrapping words longer than a line). */
export function wrapText(text: string, width: number): string[] {
  if (text === '') return [];
  return sanitizeForTerminal(text)
    .split('\n')
    .flatMap((paragraph) => wrapParagraph(paragraph, width));
}

/**
 * One paragraph (no newline) as lines of at most `width` columns. Words wrap with the spaces at the
 * break dropped; the paragraph's own indentation is kept and repeated on its continuation lines
 * (a hanging indent), so indented code and list items stay readable.
 */
function wrapParagraph(paragraph: string, width: number): string[] {
  const columns = Math.max(1, width);
  const leading = /^ */.exec(paragraph)?.[0].length ?? 0;
  const body = paragraph.slice(leading);
  if (body.trim() === '') return [''];
  const indent = ' '.repeat(Math.min(leading, Math.floor(columns / 2)));
  // What fits on one line is that line, as wrap-ansi would make it (trailing spaces dropped): most
  // paragraphs, and the streaming reply's growing last line in all but one frame of each line.
  // Only printable ASCII, where a character is a column; wrap-ansi measures the rest.
  if (body.length <= columns - indent.length && isPrintableAscii(body)) return [indent + body.trimEnd()];
  return wrapAnsi(body, columns - indent.length, {hard: true, trim: true})
    .split('\n')
    .map((line) => indent + line);
}

// Keyed by the entry object: the store replaces an entry (new object) whenever any of its fields
// changes, so the object stands for (id, content), and a WeakMap lets the lines of messages that left
// the store be collected. Only the latest width is kept per entry: on resize each message is
// re-wrapped once for the new width.
const cache = new WeakMap<ChatEntry, {readonly width: number; readonly thinkingShown: boolean; readonly lines: readonly ChatLine[]}>();

/** A message as lines: its header, its wrapped text, then a blank line. Cached per (entry, width, options). */
export function messageLines(entry: ChatEntry, width: number, {thinkingShown = false}: LineOptions = {}): readonly ChatLine[] {
  const cached = cache.get(entry);
  if (cached?.width === width && cached.thinkingShown === thinkingShown) return cached.lines;
  const lines: ChatLine[] = [
    ...(entry.switchedBefore ? [{kind: 'divider', text: `↻ ${sanitizeForTerminal(entry.switchedBefore).replace(/\s*\n\s*/g, ' ')}`} as const] : []),
    {kind: 'header', role: entry.role, label: roleLabel(entry.role, entry.model), interrupted: entry.interrupted === true},
    ...bodyLines(entry, width, thinkingShown),
    {kind: 'gap'},
  ];
  cache.set(entry, {width, thinkingShown, lines});
  return lines;
}

/** A message's text as lines; a reply's `<think>` blocks folded to one line each unless shown. */
function bodyLines(entry: ChatEntry, width: number, thinkingShown: boolean): ChatLine[] {
  const asText = (text: string) => wrapText(text, width).map((line): ChatLine => ({kind: 'text', text: line}));
  if (entry.role !== 'assistant' || !hasThinking(entry.text)) return asText(entry.text);
  return splitThinking(entry.text).flatMap((part): ChatLine[] => {
    if (part.kind === 'answer') return asText(part.text);
    const folded = foldedThinkingLine(part, KEY_BINDINGS.toggleThinking.keys);
    if (!thinkingShown) return [{kind: 'thinking', text: `▸ ${folded}`}];
    return [
      {kind: 'thinking', text: `▾ ${folded.replace(/ to show\)$/, ' to fold)')}`},
      ...wrapText(part.text, width).map((line): ChatLine => ({kind: 'thinking', text: line})),
    ];
  });
}

/**
 * The streaming reply as it should read: its `<think>` blocks folded to their one line (unless
 * shown), so a reasoning model's thousand lines of thought do not push its answer off the pane.
 */
export function foldThinking(text: string, {thinkingShown = false}: LineOptions = {}): string {
  if (thinkingShown || !hasThinking(text)) return text;
  return splitThinking(text)
    .map((part) => (part.kind === 'answer' ? part.text : `▸ ${foldedThinkingLine(part, KEY_BINDINGS.toggleThinking.keys)}`))
    .join('\n');
}

/**
 * How many lines the newest messages take at `width`, counted from the end until `atLeast` lines
 * (or the whole conversation, when it is shorter): what a window needs, never more, so a key
 * pressed in a 5,000-message chat wraps the messages on screen, not the conversation.
 */
function linesFromEnd(messages: readonly ChatEntry[], width: number, atLeast: number, options: LineOptions): number {
  let count = 0;
  for (let i = messages.length - 1; i >= 0 && count < atLeast; i--) {
    const entry = messages[i];
    if (entry) count += messageLines(entry, width, options).length;
  }
  return count;
}

/** How many lines the whole conversation takes at `width` (wraps every message once). */
export function totalLines(messages: readonly ChatEntry[], width: number, options: LineOptions = {}): number {
  return linesFromEnd(messages, width, Number.POSITIVE_INFINITY, options);
}

/**
 * How far up the chat can scroll in a pane of `rows` rows: until its first line is at the top. While
 * scrolled up the pane gives one row to its "newer below" line, hence `rows - 1`. With `atMost`,
 * the answer is capped there and only as many messages are wrapped as that takes.
 */
export function scrollLimit(
  messages: readonly ChatEntry[],
  width: number,
  rows: number,
  atMost = Number.POSITIVE_INFINITY,
  options: LineOptions = {},
): number {
  return Math.max(0, Math.min(atMost, linesFromEnd(messages, width, atMost + rows - 1, options) - (rows - 1)));
}

/**
 * The lines that fit `rows` rows, `offset` lines up from the bottom (clamped to what exists). Walks
 * from the newest message back and stops as soon as the window is full, so only the messages on
 * screen (and below it, when scrolled) are wrapped; `maxOffset` is only as large as that walk saw.
 */
export function chatWindow(messages: readonly ChatEntry[], width: number, rows: number, offset: number, options: LineOptions = {}): ChatWindow {
  const lines: ChatLine[] = [];
  // Lines from the end of the conversation to the start of the message being looked at.
  let below = 0;
  let i = messages.length - 1;
  for (; i >= 0 && below < offset + rows; i--) {
    const entry = messages[i];
    if (!entry) continue;
    const own = messageLines(entry, width, options);
    below += own.length;
    lines.unshift(...own);
  }
  // `lines` holds the newest `below` lines; drop the ones under the window, then the ones above it.
  const clamped = i < 0 ? Math.max(0, Math.min(offset, below - rows)) : offset;
  const end = lines.length - clamped;
  return {lines: lines.slice(Math.max(0, end - rows), end), offset: clamped, maxOffset: i < 0 ? Math.max(0, below - rows) : Math.max(clamped, below - rows)};
}

/**
 * The last `rows` lines of a growing text (the streaming reply), wrapped at `width`. Only the
 * paragraphs that reach the screen are wrapped: a long reply costs its visible tail, not its length.
 */
export function tailLines(text: string, width: number, rows: number): string[] {
  if (rows <= 0) return [];
  const clean = sanitizeForTerminal(text);
  if (clean === '') return [];
  const lines: string[] = [];
  let end = clean.length;
  while (lines.length < rows && end >= 0) {
    const start = end === 0 ? 0 : clean.lastIndexOf('\n', end - 1) + 1;
    const paragraph = clean.slice(start, end);
    // The last paragraph is the one growing token by token: it is wrapped from where it was last time.
    lines.unshift(...(end === clean.length ? growingParagraph(paragraph, width) : wrapParagraph(paragraph, width)));
    end = start - 1;
  }
  return lines.slice(-rows);
}

/** The last wrap of the growing paragraph: its text, and where in it its last line starts. */
let growing: {width: number; paragraph: string; lines: readonly string[]; lastLineStart: number} | null = null;

/**
 * wrapParagraph for a paragraph that grows at its end (a streaming reply without line breaks, a
 * long code line): greedy wrapping never moves a line break once a later line has begun, so every
 * line but the last stays as it was, and only the text from the last line on is wrapped again. Each
 * frame then costs the new text, not the paragraph's length (which made streaming slow down as a
 * long paragraph grew). Anything else (another paragraph, another width) is wrapped whole.
 */
function growingParagraph(paragraph: string, width: number): string[] {
  const previous = growing;
  let lines: string[];
  const rest = previous ? paragraph.slice(previous.lastLineStart) : '';
  const indent = /^ */.exec(previous?.lines[0] ?? '')?.[0].length ?? 0;
  // A word longer than a line is split where its whole length says, which can pull part of it
  // back onto the line before: then the paragraph is wrapped whole.
  const longWord = new RegExp(`\\S{${Math.max(1, width - indent)},}`);
  let lastLineStart: number | null;
  if (previous && previous.width === width && paragraph.startsWith(previous.paragraph) && previous.lines.length > 1 && !longWord.test(rest)) {
    const rewrapped = wrapParagraph(' '.repeat(indent) + rest, width);
    lines = [...previous.lines.slice(0, -1), ...rewrapped];
    // Walking only the lines wrapped again keeps the frame's cost flat as the paragraph grows.
    lastLineStart = lineStart(paragraph, rewrapped, previous.lastLineStart, indent);
  } else {
    lines = wrapParagraph(paragraph, width);
    lastLineStart = lineStart(paragraph, lines, /^ */.exec(paragraph)?.[0].length ?? 0, /^ */.exec(lines[0] ?? '')?.[0].length ?? 0);
  }
  // Only a last line that begins a word: a word longer than the line is split where its length
  // says, so the lines it spans may change as it grows.
  growing = lastLineStart !== null && paragraph[lastLineStart - 1] === ' ' ? {width, paragraph, lines, lastLineStart} : null;
  return lines;
}

/**
 * Where the last of `lines` begins in `paragraph`, found by walking the lines over it from `from`
 * (wrapping only drops the spaces at a break and repeats the indentation, `repeated` spaces at the
 * start of every line); null if they do not match.
 */
function lineStart(paragraph: string, lines: readonly string[], from: number, repeated: number): number | null {
  let at = from;
  for (let i = 0; i < lines.length; i++) {
    while (paragraph[at] === ' ') at++;
    if (i === lines.length - 1) return at;
    const body = (lines[i] ?? '').slice(repeated);
    if (!paragraph.startsWith(body, at)) return null;
    at += body.length;
  }
  return null;
}
