import {describe, expect, it} from 'vitest';
import type {Tier} from '../../src/domain.js';
import {cycleModel, selectBestModel} from '../../src/manager/select.js';
import {defaultThreadCount} from '../../src/backends/embedded/threads.js';
import type {ModelEntry} from '../../src/store.js';
import {modelEntry} from '../support/model-entries.js';

const GiB = 1024 ** 3;

function entry(key: string, tier: Tier, estimateGiB: number, extra: Partial<ModelEntry> = {}): ModelEntry {
  return modelEntry(key, {sizeBytes: estimateGiB * 0.8 * GiB, contextLength: 4096, tier, estimateBytes: estimateGiB * GiB, ...extra});
}

describe('selectBestModel', () => {
  const large = entry('large-13b', 'large', 9);
  const medium = entry('medium-7b', 'medium', 5);
  const small = entry('small-3b', 'small', 2);

  it.each([
    {name: 'the largest tier that fits', entries: [small, large, medium], preferred: null, expected: 'large-13b'},
    {name: 'a smaller tier when the large does not fit', entries: [small, {...large, fits: false}, medium], preferred: null, expected: 'medium-7b'},
    {name: 'the preferred model when it fits', entries: [small, large, medium], preferred: 'small-3b', expected: 'small-3b'},
    {name: 'not the preferred model when it does not fit', entries: [{...small, fits: false}, medium], preferred: 'small-3b', expected: 'medium-7b'},
    {name: 'never an unusable model', entries: [{...large, unusable: 'truncated'}, medium], preferred: 'large-13b', expected: 'medium-7b'},
    {name: 'the smallest when nothing fits', entries: [{...large, fits: false}, {...small, fits: false}], preferred: null, expected: 'small-3b'},
    {
      name: 'a real model over a demo model of a larger tier',
      entries: [entry('mai-demo-large', 'large', 0.3, {demo: true}), small],
      preferred: null,
      expected: 'small-3b',
    },
    {name: 'the larger model within a tier', entries: [entry('m-a', 'medium', 4), entry('m-b', 'medium', 6)], preferred: null, expected: 'm-b'},
  ])('takes $name', ({entries, preferred, expected}) => {
    expect(selectBestModel({entries, preferredKey: preferred, availableBytes: 10 * GiB})?.key).toBe(expected);
  });

  it('skips the models excluded after a failure, and returns null when none is left', () => {
    expect(selectBestModel({entries: [large, medium], exclude: new Set(['large-13b']), availableBytes: GiB})?.key).toBe('medium-7b');
    expect(selectBestModel({entries: [large], exclude: new Set(['large-13b']), availableBytes: GiB})).toBeNull();
  });

  it('says why', () => {
    expect(selectBestModel({entries: [large], availableBytes: 12 * GiB})?.reason).toBe('largest tier that fits in 12.0 GiB available');
    expect(selectBestModel({entries: [{...large, fits: false}], availableBytes: 2 * GiB})?.reason).toMatch(/no model fits/);
  });
});

describe('cycleModel', () => {
  const entries = [entry('a', 'large', 1), entry('b', 'medium', 1, {unusable: 'corrupt'}), entry('c', 'small', 1)];
  it.each([
    {from: 'a', direction: 1, expected: 'c'},
    {from: 'c', direction: 1, expected: 'a'},
    {from: 'a', direction: -1, expected: 'c'},
    {from: null, direction: 1, expected: 'a'},
  ] as const)('goes from $from by $direction to $expected, skipping unusable models', ({from, direction, expected}) => {
    expect(cycleModel(entries, from, direction)).toBe(expected);
  });
});

describe('defaultThreadCount', () => {
  it.each([
    [1, 1],
    [2, 1],
    [4, 2],
    [8, 4],
    [16, 8],
    [64, 8],
  ])('on %i logical cores uses %i threads', (cores, threads) => {
    expect(defaultThreadCount(cores)).toBe(threads);
  });
});
