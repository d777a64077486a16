import {formatCount} from '../src/util/locale-free.js';

// A large paste is kept out of the composer's text: the text holds one placeholder character for
// it (a user-perceived character of its own, so the cursor, Backspace and Delete treat the block
// as one), the block's text sits beside it, and the composer draws a one-line label. Typing next to
// a megabyte then costs what typing next to a word costs, and the block is sent whole.

/**
 * Above this many characters or lines a paste is collapsed. 2,000 characters is about a screenful
 * at 100 columns and 50 lines more than the composer or a chat pane of a 40-row terminal shows: a
 * paste that big is read as "the log" or "the file", not line by line while composing.
 */
export const PASTE_COLLAPSE_CHARS = 2000;
export const PASTE_COLLAPSE_LINES = 50;

export type PastedBlock = {
  /** The pasted text, cleaned like typed text (line endings, escapes, controls). */
  readonly text: string;
  readonly bytes: number;
  readonly lines: number;
  /** Shown in full (each line, wrapped) below its label instead of as the label alone. */
  readonly expanded: boolean;
};

/**
 * Placeholders come from plane 16's private use area (U+100000-U+10FFFD): nothing a user types or
 * pastes uses it (Nerd Fonts icons sit in the BMP and plane 15 private use areas), and the
 * composer strips it from what is inserted, so a placeholder in the text is always one of ours.
 */
const PLACEHOLDER_BASE = 0x100000;
const PLACEHOLDER_LAST = 0x10fffd;
export const PLACEHOLDER = /[\u{100000}-\u{10fffd}]/gu;

export function placeholderFor(id: number): string {
  return String.fromCodePoint(PLACEHOLDER_BASE + id);
}

/** The block id of the placeholder at `index` (a surrogate pair), or null. */
export function placeholderIdAt(text: string, index: number): number | null {
  const code = text.codePointAt(index) ?? 0;
  return code >= PLACEHOLDER_BASE && code <= PLACEHOLDER_LAST ? code - PLACEHOLDER_BASE : null;
}

export function shouldCollapse(text: string): boolean {
  return text.length > PASTE_COLLAPSE_CHARS || lineCount(text, PASTE_COLLAPSE_LINES + 1) > PASTE_COLLAPSE_LINES;
}

/** Lines of `text` (a trailing newline does not start one), counting stops at `limit`. */
export function lineCount(text: string, limit = Infinity): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1 && lines < limit; i = text.indexOf('\n', i + 1)) {
    lines += 1;
  }
  return lines;
}

export function pastedBlock(text: string): PastedBlock {
  return {text, bytes: Buffer.byteLength(text, 'utf8'), lines: lineCount(text), expanded: false};
}

/** "[pasted 1.0 MB, 16,000 lines]": what a collapsed block shows (with " ▾" when expanded). */
export function pasteLabel(block: PastedBlock): string {
  const lines = `${formatCount(block.lines)} ${block.lines === 1 ? 'line' : 'lines'}`;
  return `[pasted ${formatPasteSize(block.bytes)}, ${lines}]${block.expanded ? ' ▾' : ''}`;
}

/** Decimal units, one decimal: 1,048,576 bytes -> "1.0 MB", 2,500 -> "2.5 kB". */
export function formatPasteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The text with every placeholder replaced by its block's text: what is sent. */
export function expandPastes(text: string, pastes: readonly (PastedBlock | null)[]): string {
  return text.replace(PLACEHOLDER, (placeholder) => pastes[placeholderIdAt(placeholder, 0) ?? -1]?.text ?? '');
}

/** The text with every placeholder replaced by its label: what is drawn. */
export function labelPastes(text: string, pastes: readonly (PastedBlock | null)[]): string {
  return text.replace(PLACEHOLDER, (placeholder) => {
    const block = pastes[placeholderIdAt(placeholder, 0) ?? -1];
    return block ? pasteLabel(block) : '';
  });
}
