import {describe, expect, it} from 'vitest';
import {scoreComplexity, tierForScore} from '../../../src/manager/policy/complexity.js';

const thresholds = {medium: 0.3, large: 0.6};
const fresh = {depth: 0, recentStruggles: 0};

describe('scoreComplexity', () => {
  it.each([
    {name: 'a greeting', text: 'hi there', tier: 'small', signals: []},
    {name: 'a plain question', text: 'What is the capital of France?', tier: 'small', signals: []},
    {name: 'a "why" question', text: 'Why is the sky blue?', tier: 'small', signals: ['reasoning: why']},
    {name: 'a word that only contains a reasoning word', text: 'Please approve this request', tier: 'small', signals: []},
    {name: 'inline code', text: 'What does `ls -la` do?', tier: 'small', signals: ['inline code']},
    {name: 'a code block', text: 'Fix this:\n```js\nconst x = 1\n```', tier: 'medium', signals: ['code block']},
    {
      name: 'a proof of a theorem',
      text: 'Prove the theorem that there are infinitely many primes.',
      tier: 'medium',
      signals: ['reasoning: prove', 'technical: theorem'],
    },
    {
      name: 'technical terms (capped)',
      text: 'Write a regex and an SQL query for the kernel gradient tensors',
      tier: 'medium',
      signals: ['technical: regex, sql, kernel, gradient, tensors'],
    },
    {
      name: 'an explanation step by step',
      text: 'Explain why quicksort has O(n log n) average complexity, step by step.',
      tier: 'large',
      signals: ['reasoning: explain, why, step by step', 'technical: complexity'],
    },
    {
      name: 'code with a question about it',
      text: '```py\nprint(1)\n```\nWhy does this print 1? Explain.',
      tier: 'large',
      signals: ['code block', 'reasoning: why, explain'],
    },
  ] as const)('scores $name for the $tier tier', ({text, tier, signals}) => {
    const {score, signals: found} = scoreComplexity(text, fresh);
    expect(tierForScore(score, thresholds)).toBe(tier);
    expect(found).toEqual(signals);
  });

  it.each([
    {name: 'a long message', text: 'a '.repeat(1000), context: fresh, signals: ['long (2000 characters)'], score: 0.25},
    {name: 'a deep conversation', text: 'ok', context: {depth: 10, recentStruggles: 0}, signals: ['deep conversation (10 turns)'], score: 0.1},
    {name: 'a conversation of one turn', text: 'ok', context: {depth: 1, recentStruggles: 0}, signals: [], score: 0},
    {name: 'earlier struggles', text: 'ok', context: {depth: 0, recentStruggles: 1}, signals: ['earlier struggle (1)'], score: 0.15},
    {name: 'struggles beyond the cap', text: 'ok', context: {depth: 0, recentStruggles: 5}, signals: ['earlier struggle (5)'], score: 0.3},
  ])('adds $score for $name', ({text, context, signals, score}) => {
    expect(scoreComplexity(text, context)).toEqual({score, signals});
  });

  it('never scores above 1, however much a message piles up', () => {
    const text = '```c\nint main;\n```\n'.repeat(3) + 'Prove, derive, explain why, step by step, and compare the algorithm, regex, SQL kernels. '.repeat(40);
    const {score} = scoreComplexity(text, {depth: 50, recentStruggles: 9});
    expect(score).toBe(1);
    expect(tierForScore(score, thresholds)).toBe('large');
  });

  it('takes an unclosed fence as no code block', () => {
    expect(scoreComplexity('use ``` to start a block', fresh).signals).toEqual([]);
  });
});

describe('tierForScore', () => {
  it.each([
    [0, 'small'],
    [0.29, 'small'],
    [0.3, 'medium'],
    [0.59, 'medium'],
    [0.6, 'large'],
    [1, 'large'],
  ] as const)('%d asks for %s', (score, tier) => {
    expect(tierForScore(score, thresholds)).toBe(tier);
  });

  it('follows the thresholds it is given', () => {
    expect(tierForScore(0.5, {medium: 0.1, large: 0.4})).toBe('large');
    expect(tierForScore(0.5, {medium: 0.6, large: 0.9})).toBe('small');
  });
});
