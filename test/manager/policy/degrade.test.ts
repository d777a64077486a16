import {describe, expect, it} from 'vitest';
import {nextDegradeStep, type DegradeState, type DegradeStepName} from '../../../src/manager/policy/degrade.js';
import {GiB, keys, large, REAL} from './fixtures.js';

// large-13b (9 GiB) with 6 GiB free and 1 GiB headroom: medium-7b (5 GiB) fits, it does not.
function state(over: Partial<DegradeState> = {}): DegradeState {
  return {
    target: large,
    tried: [],
    entries: REAL,
    memory: {ramBytes: 6 * GiB},
    headroomBytes: GiB,
    loadedKeys: keys(),
    idleKeys: ['small-3b'],
    memoryWaitMs: 2000,
    shorterContext: {tokens: 1024, estimateBytes: 4.5 * GiB},
    ...over,
  };
}

const ALL: DegradeStepName[] = ['wait-for-memory', 'unload-idle', 'shorter-context', 'smaller-tier', 'explain'];

describe('nextDegradeStep', () => {
  it.each<{name: string; over: Partial<DegradeState>; step: object | null}>([
    {name: 'waits for memory first', over: {}, step: {step: 'wait-for-memory', waitMs: 2000, reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: waiting 2.0 s for memory'}},
    {
      name: 'then unloads idle models mai loaded',
      over: {tried: ['wait-for-memory']},
      step: {step: 'unload-idle', keys: ['small-3b'], reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: unloading idle small-3b'},
    },
    {
      name: 'then a shorter context',
      over: {tried: ['wait-for-memory', 'unload-idle']},
      step: {step: 'shorter-context', contextTokens: 1024, reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: using a 1024-token context (4.5 GiB)'},
    },
    {
      name: 'then a smaller tier',
      over: {tried: ['wait-for-memory', 'unload-idle', 'shorter-context']},
      step: {step: 'smaller-tier', key: 'medium-7b', reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: using medium-7b (medium)'},
    },
    {
      name: 'then says what would fit',
      over: {tried: ['wait-for-memory', 'unload-idle', 'shorter-context', 'smaller-tier']},
      step: {step: 'explain', reason: 'large-13b needs 9.0 GiB, 6.0 GiB free; medium-7b would fit'},
    },
    {name: 'and then nothing', over: {tried: ALL}, step: null},
    {name: 'skips the wait when memory_wait_ms is 0', over: {memoryWaitMs: 0}, step: {step: 'unload-idle', keys: ['small-3b'], reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: unloading idle small-3b'}},
    {
      name: 'skips unloading when nothing is idle',
      over: {tried: ['wait-for-memory'], idleKeys: []},
      step: {step: 'shorter-context', contextTokens: 1024, reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: using a 1024-token context (4.5 GiB)'},
    },
    {
      name: 'skips a shorter context that would not fit either',
      over: {tried: ['wait-for-memory', 'unload-idle'], shorterContext: {tokens: 2048, estimateBytes: 8 * GiB}},
      step: {step: 'smaller-tier', key: 'medium-7b', reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: using medium-7b (medium)'},
    },
    {
      name: 'skips a shorter context the model cannot have',
      over: {tried: ['wait-for-memory', 'unload-idle'], shorterContext: null},
      step: {step: 'smaller-tier', key: 'medium-7b', reason: 'large-13b needs 9.0 GiB, 6.0 GiB free: using medium-7b (medium)'},
    },
    {
      name: 'goes two tiers down when the next one does not fit',
      over: {tried: ['wait-for-memory', 'unload-idle', 'shorter-context'], memory: {ramBytes: 4 * GiB}},
      step: {step: 'smaller-tier', key: 'small-3b', reason: 'large-13b needs 9.0 GiB, 4.0 GiB free: using small-3b (small)'},
    },
    {
      name: 'says that nothing fits when nothing does',
      over: {tried: ['wait-for-memory', 'unload-idle', 'shorter-context'], memory: {ramBytes: 2 * GiB}},
      step: {step: 'explain', reason: 'large-13b needs 9.0 GiB, 2.0 GiB free; no model fits now'},
    },
    {
      name: 'names a model of the same or a larger tier that would fit',
      over: {tried: ALL.slice(0, 4), target: {...large, tier: 'small'}, excluded: keys('small-3b')},
      step: {step: 'explain', reason: 'large-13b needs 9.0 GiB, 6.0 GiB free; medium-7b would fit'},
    },
  ])('$name', ({over, step}) => {
    expect(nextDegradeStep(state(over))).toEqual(step);
  });

  it('takes each step once, in the fixed order', () => {
    const taken: string[] = [];
    let next = nextDegradeStep(state());
    while (next) {
      taken.push(next.step);
      next = nextDegradeStep(state({tried: taken as DegradeStepName[]}));
    }
    expect(taken).toEqual(ALL);
  });
});
