import {describe, expect, it} from 'vitest';
import type {Role} from '../../src/domain.js';
import {
  cutMarker,
  cutMiddle,
  fitConversation,
  nextSummaryRange,
  promptBudget,
  summaryChunkEnd,
  type FitInput,
  type FitPlan,
} from '../../src/conversation/context-fit.js';

// The pure decisions of the context manager: what of a conversation goes into a prompt.

/** Alternating user/assistant roles, the first a user message. */
function turns(count: number): Role[] {
  return Array.from({length: count}, (_, i) => (i % 2 === 0 ? 'user' : 'assistant'));
}

describe('promptBudget', () => {
  it.each([
    ['25% of 4,096', 4096, {percent: 25}, 3072],
    ['25% of 512', 512, {percent: 25}, 384],
    ['256 tokens of 2,048', 2048, {tokens: 256}, 1792],
    ['a token room larger than half the context is capped at half', 512, {tokens: 1024}, 256],
    ['90% leaves a tenth', 1000, {percent: 90}, 100],
    ['never below one token', 1, {percent: 50}, 1],
  ] as const)('%s', (_name, contextLength, room, budget) => {
    expect(promptBudget(contextLength, room)).toBe(budget);
  });
});

type Case = {
  name: string;
  input: Omit<FitInput, 'roles'> & {roles?: Role[]};
  expected: Partial<FitPlan>;
};

describe('fitConversation', () => {
  const cases: Case[] = [
    {
      name: 'everything fits: every message, no summary',
      input: {budget: 100, fixed: 10, messages: [20, 20, 20, 20], summaries: []},
      expected: {start: 0, summary: null, kept: 4, summarized: 0, dropped: 0, tokens: 90, truncateLastTo: null},
    },
    {
      name: 'everything fits exactly at the budget',
      input: {budget: 90, fixed: 10, messages: [20, 20, 20, 20], summaries: []},
      expected: {start: 0, kept: 4, dropped: 0, tokens: 90},
    },
    {
      name: 'an empty conversation is the fixed part alone',
      input: {budget: 50, fixed: 10, messages: [], summaries: []},
      expected: {start: 0, kept: 0, tokens: 10},
    },
    {
      name: 'too long, no summary: the oldest turns are dropped down to the low-water mark, starting at a user message',
      // budget 100, low water 75: fixed 10 + messages from index 6 (4 × 15 = 60) = 70 ≤ 75.
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: []},
      expected: {start: 6, summary: null, kept: 4, summarized: 0, dropped: 6, tokens: 70},
    },
    {
      name: 'the window starts at a user message even when an assistant message would fit',
      // From index 5: 5 × 15 = 75 + 10 = 85 > 75; index 6 is the first ≤ 75 and a user message.
      // With lowWater 0.9 (90): index 5 (85) fits, but it is an assistant reply: start at 6.
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [], lowWater: 0.9},
      expected: {start: 6, kept: 4, dropped: 6},
    },
    {
      name: 'a summary covers the older turns and every turn after it fits',
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [{upTo: 6, tokens: 20}]},
      expected: {start: 6, summary: 0, kept: 4, summarized: 6, dropped: 0, tokens: 90},
    },
    {
      name: 'a summary, and the turns after it still too long: the oldest of them are dropped',
      // fixed 10 + summary 20 = 30; low water 75 leaves 45 = 3 messages, aligned to user → index 8.
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [{upTo: 2, tokens: 20}]},
      expected: {start: 8, summary: 0, kept: 2, summarized: 2, dropped: 6},
    },
    {
      name: 'a summary too long to go with the last message is left out',
      input: {budget: 100, fixed: 10, messages: [15, 15, 15, 15, 80], summaries: [{upTo: 2, tokens: 30}]},
      expected: {start: 4, summary: null, kept: 1, summarized: 0, dropped: 4, tokens: 90},
    },
    {
      name: 'the previous window is kept while it fits (the engine reuses its cache)',
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [], previousStart: 5},
      expected: {start: 5, kept: 5, dropped: 5, tokens: 85},
    },
    {
      name: 'the previous window is left when it no longer fits',
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [], previousStart: 2},
      expected: {start: 6, kept: 4, dropped: 6},
    },
    {
      name: 'a previous window before the summary point is not used: the summary covers it',
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [{upTo: 6, tokens: 20}], previousStart: 4},
      expected: {start: 6, summary: 0, summarized: 6, dropped: 0},
    },
    {
      name: 'the last message alone is over the budget: it is cut to what is left, nothing else is sent',
      input: {budget: 100, fixed: 10, messages: [15, 15, 500], summaries: [{upTo: 2, tokens: 20}]},
      expected: {start: 2, summary: null, kept: 1, dropped: 2, truncateLastTo: 90, tokens: 100},
    },
    {
      name: 'a single message over the budget',
      input: {budget: 50, fixed: 0, messages: [80], summaries: []},
      expected: {start: 0, kept: 1, dropped: 0, truncateLastTo: 50, tokens: 50},
    },
    {
      name: 'empty messages (0 tokens) count for nothing',
      input: {budget: 50, fixed: 10, messages: [20, 0, 20], summaries: []},
      expected: {start: 0, kept: 3, tokens: 50},
    },
    {
      name: 'of several summaries, the one that leaves the most turns in full (a large model after a small one)',
      input: {budget: 100, fixed: 10, messages: Array(10).fill(15), summaries: [{upTo: 2, tokens: 20}, {upTo: 6, tokens: 20}, {upTo: 8, tokens: 20}]},
      expected: {start: 6, summary: 1, kept: 4, summarized: 6, dropped: 0},
    },
    {
      name: 'of several summaries, none leaving room for every turn after it: the latest, and the newest turns',
      // base 30, low water 45: room for one more message of 15, the last one.
      input: {budget: 60, fixed: 10, messages: Array(10).fill(15), summaries: [{upTo: 2, tokens: 20}, {upTo: 6, tokens: 20}]},
      expected: {start: 9, summary: 1, kept: 1, summarized: 6, dropped: 3},
    },
    {
      name: 'a summary that would cover the last message is ignored',
      input: {budget: 40, fixed: 10, messages: [15, 15, 15], summaries: [{upTo: 3, tokens: 5}]},
      expected: {summary: null, start: 2, kept: 1, dropped: 2},
    },
  ];

  it.each(cases)('$name', ({input, expected}) => {
    const plan = fitConversation({...input, roles: input.roles ?? turns(input.messages.length)});
    expect(plan).toMatchObject(expected);
    // Whatever the case: never over the budget, the last message always in, the counts add up.
    expect(plan.tokens).toBeLessThanOrEqual(input.budget);
    if (input.messages.length > 0) expect(plan.start).toBeLessThan(input.messages.length);
    expect(plan.kept + plan.summarized + plan.dropped).toBe(input.messages.length);
  });

  it('fits 1,000 messages into any budget without going over', () => {
    const messages = Array.from({length: 1000}, (_, i) => 5 + ((i * 37) % 200));
    const roles = turns(1000);
    for (const budget of [50, 300, 1000, 4000, 30_000, 200_000]) {
      const plan = fitConversation({budget, fixed: 12, messages, roles, summaries: []});
      expect(plan.tokens).toBeLessThanOrEqual(budget);
      expect(plan.kept).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('nextSummaryRange', () => {
  it.each([
    ['nothing to do while the turns take under 75% of the budget', {messages: Array(6).fill(10), summarizedUpTo: 0, budget: 100}, null],
    // tail = 80 > 75: summarize until the rest is ≤ 40 → from index 6 (4 × 10), a user message.
    ['summarizes the older turns until the rest takes 40%', {messages: Array(10).fill(10), summarizedUpTo: 0, budget: 100}, {from: 0, to: 6}],
    ['starts after the last summary', {messages: Array(14).fill(10), summarizedUpTo: 2, budget: 100}, {from: 2, to: 10}],
    ['ends before a user message', {messages: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10], summarizedUpTo: 0, budget: 100, target: 0.35}, {from: 0, to: 8}],
    ['never the last message, however long', {messages: [10, 10, 10, 200], summarizedUpTo: 0, budget: 100}, {from: 0, to: 2}],
    ['fewer than two messages after the summary: nothing', {messages: [10, 10, 300], summarizedUpTo: 2, budget: 100}, null],
  ] as const)('%s', (_name, input, expected) => {
    expect(nextSummaryRange({...input, roles: turns(input.messages.length)})).toEqual(expected);
  });
});

describe('summaryChunkEnd', () => {
  it.each([
    ['all of the range when it fits', [10, 10, 10, 10, 10, 10], {from: 0, to: 4}, 100, 4],
    ['as much as fits, ending before a user message', [10, 10, 10, 10, 10, 10], {from: 0, to: 6}, 35, 2],
    ['at least one message, even one over the input', [500, 10, 10], {from: 0, to: 2}, 100, 1],
    ['from the middle', [10, 10, 10, 10, 10, 10, 10, 10], {from: 2, to: 8}, 45, 6],
  ] as const)('%s', (_name, messages, range, budget, end) => {
    expect(summaryChunkEnd(messages, turns(messages.length), range, budget)).toBe(end);
  });
});

describe('cutMiddle', () => {
  it('keeps a text that fits as it is', () => {
    expect(cutMiddle('short', 10)).toBe('short');
  });

  it('keeps the start and the end around a marker that says how much is missing', () => {
    const text = 'A'.repeat(500) + 'B'.repeat(1000) + 'C'.repeat(500);
    const cut = cutMiddle(text, 200);
    expect(cut.startsWith('A'.repeat(100))).toBe(true);
    expect(cut.endsWith('C'.repeat(100))).toBe(true);
    expect(cut).toContain(cutMarker(1800));
    expect(cut).toContain('1,800 characters cut here by mai');
  });

  it('never splits a character made of two UTF-16 units', () => {
    const cut = cutMiddle('😀'.repeat(100), 11);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(cut.startsWith('😀'.repeat(6))).toBe(true);
  });
});
