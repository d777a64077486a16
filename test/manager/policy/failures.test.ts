import {describe, expect, it} from 'vitest';
import type {ModelErrorKind} from '../../../src/domain.js';
import {nextInChain, type ChainInput} from '../../../src/manager/policy/fallback-chain.js';
import {classifyFailure, shouldRetry} from '../../../src/manager/policy/failures.js';
import {demoMedium, demoSmall, entry, GiB, keys, large, medium, REAL, small} from './fixtures.js';

describe('classifyFailure', () => {
  it.each<[ModelErrorKind, boolean, boolean, string, string]>([
    ['unusable', false, true, 'fall-back', 'corrupt or unsupported'],
    ['crashed', true, false, 'fall-back', 'backend gone'],
    ['backend-gone', true, false, 'fall-back', 'backend gone'],
    ['out-of-memory', false, false, 'degrade', 'out of memory'],
    ['load-failed', true, false, 'fall-back', 'failed to load'],
    ['not-found', false, false, 'fall-back', 'not found'],
    ['timeout', true, false, 'fall-back', 'timed out'],
    ['aborted', false, false, 'stop', 'stopped by you'],
  ])('%s: retryable %s, never retried %s, then %s, "%s"', (kind, retryable, neverRetry, then, label) => {
    expect(classifyFailure(kind)).toEqual({retryable, neverRetry, then, label});
  });
});

describe('shouldRetry', () => {
  it.each<[ModelErrorKind, number, number, boolean]>([
    ['timeout', 1, 2, true],
    ['timeout', 2, 2, true],
    ['timeout', 3, 2, false],
    ['timeout', 1, 0, false],
    ['unusable', 1, 2, false],
    ['out-of-memory', 1, 2, false],
    ['aborted', 1, 2, false],
  ])('%s after failure %i with retries %i: %s', (kind, attempts, retries, retry) => {
    expect(shouldRetry(kind, attempts, retries)).toBe(retry);
  });
});

describe('nextInChain', () => {
  const chains = {large: ['medium', 'small'], medium: ['small']} as const;
  function chain(over: Partial<ChainInput> = {}): ChainInput {
    return {
      entries: REAL,
      from: large,
      chains,
      excluded: keys(),
      memory: {ramBytes: 16 * GiB},
      headroomBytes: GiB,
      loadedKeys: keys(),
      why: 'out of memory',
      ...over,
    };
  }

  it.each<{name: string; over: Partial<ChainInput>; key: string | null; reason: string}>([
    {name: 'the next tier of the chain', over: {}, key: 'medium-7b', reason: 'large-13b: out of memory; next in the large → medium → small chain: medium-7b'},
    {
      name: 'another model of the same tier first',
      over: {entries: [...REAL, entry('large-other', 'large', 8)]},
      key: 'large-other',
      reason: 'large-13b: out of memory; another large model: large-other',
    },
    {name: 'past a tier whose models failed', over: {excluded: keys('medium-7b')}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → medium → small chain: small-3b'},
    {name: 'past a tier that does not fit now', over: {memory: {ramBytes: 4 * GiB}}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → medium → small chain: small-3b'},
    {name: 'past an unusable model', over: {entries: [small, {...medium, unusable: 'corrupt'}, large]}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → medium → small chain: small-3b'},
    {name: 'a loaded model even when memory is short', over: {memory: {ramBytes: GiB}, loadedKeys: keys('small-3b')}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → medium → small chain: small-3b'},
    {name: 'a real model before a demo model of an earlier tier', over: {entries: [large, demoMedium, small]}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → medium → small chain: small-3b'},
    {name: 'demo models when no real one is left', over: {entries: [large, demoMedium, demoSmall]}, key: 'mai-demo-medium', reason: 'large-13b: out of memory; next in the large → medium → small chain: mai-demo-medium'},
    {name: 'only the tiers the chain names', over: {chains: {large: ['small']}}, key: 'small-3b', reason: 'large-13b: out of memory; next in the large → small chain: small-3b'},
    {name: 'nothing for a tier without a chain', over: {from: small, why: 'timed out'}, key: null, reason: 'small-3b: timed out; nothing left in the small chain fits'},
    {name: 'nothing when everything failed', over: {excluded: keys('medium-7b', 'small-3b')}, key: null, reason: 'large-13b: out of memory; nothing left in the large → medium → small chain fits'},
  ])('takes $name', ({over, key, reason}) => {
    expect(nextInChain(chain(over))).toEqual({key, reason});
  });
});
