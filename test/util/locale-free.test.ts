import {describe, expect, it} from 'vitest';
import {compareText, formatCount} from '../../src/util/locale-free.js';

describe('counts in digit groups', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [16000, '16,000'],
    [1048576, '1,048,576'],
    [-2500, '-2,500'],
    [1234.6, '1,235'],
    [-0.4, '0'],
  ])('%d -> %s, as toLocaleString("en-US") writes it', (n, text) => {
    expect(formatCount(n)).toBe(text);
    expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US').replace(/^-0$/, '0'));
  });
});

describe('text order for tie-breaks', () => {
  it('sorts model keys and IDs the same way every time', () => {
    expect(['qwen-7b', 'llama-8b', 'Llama-3b', 'llama-70b'].sort(compareText)).toEqual(['Llama-3b', 'llama-70b', 'llama-8b', 'qwen-7b']);
    expect(compareText('a', 'a')).toBe(0);
    expect(compareText('20261124-1031', '20261124-1030')).toBe(1);
  });
});
