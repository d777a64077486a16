import stringWidth from 'string-width';
import {graphemes} from './graphemes.js';

// Pure formatting for the TUI: sizes, percentages, speeds, sparklines, bars, fitting text to columns.

/** Braille (2 samples / 2 steps per cell, the default) or block characters (`--ascii` terminals). */
export type GaugeStyle = 'braille' | 'block';

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'] as const;
const GIB = 1024 ** 3;

/**
 * Binary units with one-letter suffixes, like `ls -h`: 4.4e9 bytes -> "4.1G" (4.1 GiB), 40e6 -> "38M".
 * One decimal below 10, whole numbers above, and never "1024M": a value that would round to 1000 or
 * more moves to the next unit, so the result is at most 4 characters (5 for bytes up to 999).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0B';
  let value = bytes;
  let unit = 0;
  while (unit < UNITS.length - 1 && Math.round(value) >= 1000) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit > 0 && value < 9.95 ? 1 : 0;
  return `${value.toFixed(digits)}${UNITS[unit]}`;
}

/** "12.1/24.0G" (GiB): the RAM and VRAM rows' figure, short so the bar and sparkline keep room. */
export function formatGiBPair(used: number, total: number): string {
  return `${(used / GIB).toFixed(1)}/${(total / GIB).toFixed(1)}G`;
}

/** 37.4 -> "37%", clamped to 0-100. */
export function formatPercent(pct: number): string {
  return `${Math.round(clamp(pct, 0, 100))}%`;
}

/** 23.4 -> "23 tok/s", 4.56 -> "4.6 tok/s", no measurement yet -> "… tok/s". */
export function formatTokensPerSecond(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '… tok/s';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} tok/s`;
}

/**
 * Whether the terminal asks for block characters: the Linux console's fonts have block elements
 * but no braille (the console sets TERM=linux). Elsewhere braille is drawn by every font in use.
 */
export function terminalPrefersBlocks(env: NodeJS.ProcessEnv): boolean {
  return env.TERM === 'linux';
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
// Braille dot bits, bottom row first: left column dots 7,3,2,1; right column dots 8,6,5,4.
const BRAILLE_LEFT = [0x40, 0x04, 0x02, 0x01] as const;
const BRAILLE_RIGHT = [0x80, 0x20, 0x10, 0x08] as const;
const BRAILLE_BASE = 0x2800;

/**
 * The newest samples as a sparkline of exactly `width` cells, right-aligned (blank cells on the left
 * until the history fills up). `max` is the value of a full cell (100 for percentages). Every sample
 * shows at least its baseline, so an idle 0 % is visible as a flat line, not as nothing.
 */
export function sparkline(values: readonly number[], width: number, style: GaugeStyle, max = 100): string {
  if (width <= 0) return '';
  const perCell = style === 'braille' ? 2 : 1;
  const samples = values.slice(-width * perCell);
  if (style === 'block') {
    const cells = samples.map((v) => BLOCKS[Math.round(fraction(v, max) * (BLOCKS.length - 1))]);
    return ' '.repeat(width - cells.length) + cells.join('');
  }
  const level = (v: number): number => 1 + Math.round(fraction(v, max) * 3);
  // Pair from the newest end, so an odd count leaves the oldest cell half filled (right column).
  const cells: string[] = [];
  for (let end = samples.length; end > 0; end -= 2) {
    const right = samples[end - 1];
    const left = end >= 2 ? samples[end - 2] : undefined;
    let bits = 0;
    if (left !== undefined) for (let i = 0; i < level(left); i++) bits |= BRAILLE_LEFT[i] ?? 0;
    if (right !== undefined) for (let i = 0; i < level(right); i++) bits |= BRAILLE_RIGHT[i] ?? 0;
    cells.unshift(String.fromCodePoint(BRAILLE_BASE + bits));
  }
  return ' '.repeat(width - cells.length) + cells.join('');
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/** A horizontal bar of exactly `width` cells filled to `share` (0-1). */
export function bar(share: number, width: number, style: GaugeStyle): string {
  if (width <= 0) return '';
  const f = clamp(share, 0, 1);
  if (style === 'braille') {
    // Two steps per cell: ⣿ full, ⡇ half, ⣀ the empty track.
    const steps = Math.round(f * width * 2);
    const full = Math.floor(steps / 2);
    const half = steps % 2;
    return '⣿'.repeat(full) + (half ? '⡇' : '') + '⣀'.repeat(width - full - half);
  }
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = EIGHTHS[eighths % 8] ?? '';
  return '█'.repeat(full) + partial + '░'.repeat(width - full - (partial ? 1 : 0));
}

/** `text` cut to at most `width` terminal columns, ending in "…" when it was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const {segment} of graphemes(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/** `text` cut or padded with spaces to exactly `width` terminal columns. */
export function fitToWidth(text: string, width: number): string {
  const cut = truncateToWidth(text, width);
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

function fraction(value: number, max: number): number {
  return max > 0 && Number.isFinite(value) ? clamp(value / max, 0, 1) : 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
