import {describe, expect, it} from 'vitest';
import {contextLine} from '../../components/context-line.js';
import type {ContextReport} from '../../src/store.js';

const base: ContextReport = {
  model: 'm',
  contextLength: 4096,
  promptTokens: 2310,
  messages: 60,
  kept: 60,
  summarized: 0,
  dropped: 0,
  truncated: false,
  summarizing: false,
};

describe('contextLine', () => {
  it.each([
    ['nothing fitted yet', null, null],
    ['everything fits', base, {text: 'ctx 2,310/4,096', warn: false}],
    ['a summary and the turns after it', {...base, kept: 10, summarized: 50}, {text: 'ctx 2,310/4,096: 10 kept, 50 summarized', warn: false}],
    ['turns left out, no summary yet', {...base, kept: 4, dropped: 56, summarizing: true}, {text: 'ctx 2,310/4,096: 4 kept, 56 dropped, summarizing…', warn: true}],
    ['all three', {...base, kept: 2, summarized: 50, dropped: 8}, {text: 'ctx 2,310/4,096: 2 kept, 50 summarized, 8 dropped', warn: true}],
    ['the last message cut', {...base, kept: 1, dropped: 59, truncated: true}, {text: 'ctx 2,310/4,096: your message cut to fit', warn: true}],
  ] as const)('%s', (_name, report, expected) => {
    expect(contextLine(report)).toEqual(expected);
  });
});
