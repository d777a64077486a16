import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {
  bar,
  fitToWidth,
  formatBytes,
  formatGiBPair,
  formatPercent,
  formatTokensPerSecond,
  sparkline,
  terminalPrefersBlocks,
  truncateToWidth,
} from '../../src/util/format.js';

const GiB = 1024 ** 3;

describe('formatBytes (binary units, ls -h style)', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [999, '999B'],
    [1000, '1.0K'],
    [1536, '1.5K'],
    [40e6, '38M'],
    [4.4e9, '4.1G'],
    [9.96 * GiB, '10G'],
    [1023 * 1024 * 1024, '1.0G'],
    [24 * GiB, '24G'],
    [2.5 * 1024 * GiB, '2.5T'],
    [-5, '0B'],
    [Number.NaN, '0B'],
  ])('%d -> %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it('never takes more than 4 columns above the byte range', () => {
    for (let bytes = 1000; bytes < 1e15; bytes *= 1.7) expect(formatBytes(bytes).length).toBeLessThanOrEqual(4);
  });
});

describe('figures', () => {
  it('formats the RAM pair in GiB', () => {
    expect(formatGiBPair(12.1 * GiB, 24 * GiB)).toBe('12.1/24.0G');
  });

  it.each([
    [37.4, '37%'],
    [99.6, '100%'],
    [-3, '0%'],
    [140, '100%'],
  ])('percent %d -> %s', (pct, expected) => {
    expect(formatPercent(pct)).toBe(expected);
  });

  it.each([
    [23.4, '23 tok/s'],
    [4.56, '4.6 tok/s'],
    [null, '… tok/s'],
  ])('tokens per second %s -> %s', (value, expected) => {
    expect(formatTokensPerSecond(value)).toBe(expected);
  });
});

describe('sparkline', () => {
  it('block style: one sample per cell, eight levels, right-aligned', () => {
    expect(sparkline([0, 50, 100], 5, 'block')).toBe('  ▁▅█');
  });

  it('block style keeps the newest samples when the history is longer than the line', () => {
    expect(sparkline([100, 100, 0, 0], 2, 'block')).toBe('▁▁');
  });

  it('braille style: two samples per cell, every sample at least on the baseline', () => {
    expect(sparkline([0, 0], 1, 'braille')).toBe('⣀');
    expect(sparkline([100, 100], 1, 'braille')).toBe('⣿');
    expect(sparkline([0, 100], 1, 'braille')).toBe('⣸');
  });

  it('braille style: an odd count leaves the oldest cell half filled', () => {
    expect(sparkline([100, 0, 0], 3, 'braille')).toBe(' ⢸⣀');
  });

  it('honours max (fractions for RAM)', () => {
    expect(sparkline([0.5, 1], 2, 'block', 1)).toBe('▅█');
  });

  it('is always exactly `width` columns wide', () => {
    for (const style of ['block', 'braille'] as const) {
      for (const width of [0, 1, 7, 20]) {
        expect(stringWidth(sparkline([1, 50, 99, 3, 42], width, style))).toBe(width);
      }
    }
  });
});

describe('bar', () => {
  it.each([
    [0, 4, 'block', '░░░░'],
    [1, 4, 'block', '████'],
    [0.5, 4, 'block', '██░░'],
    [0.375 / 4 + 0.5, 4, 'block', '██▍░'],
    [0, 3, 'braille', '⣀⣀⣀'],
    [0.5, 3, 'braille', '⣿⡇⣀'],
    [1, 3, 'braille', '⣿⣿⣿'],
    [2, 3, 'braille', '⣿⣿⣿'],
  ] as const)('%d over %d cells (%s) -> %s', (share, width, style, expected) => {
    expect(bar(share, width, style)).toBe(expected);
  });
});

describe('fitting text to columns', () => {
  it('truncates with an ellipsis, counting wide characters as two columns', () => {
    expect(truncateToWidth('qwen2.5-7b-instruct', 8)).toBe('qwen2.5…');
    expect(truncateToWidth('中文字符', 5)).toBe('中文…');
    expect(truncateToWidth('short', 8)).toBe('short');
  });

  it('pads to the exact width', () => {
    expect(fitToWidth('ab', 4)).toBe('ab  ');
    expect(stringWidth(fitToWidth('中文字符测试', 7))).toBe(7);
  });
});

describe('terminalPrefersBlocks', () => {
  it.each([
    ['the Linux console (no braille in its fonts)', {TERM: 'linux'}, true],
    ['xterm', {TERM: 'xterm-256color'}, false],
    ['tmux', {TERM: 'tmux-256color'}, false],
    ['no TERM', {}, false],
  ])('%s', (_name, env, expected) => {
    expect(terminalPrefersBlocks(env)).toBe(expected);
  });
});
