import {describe, expect, it} from 'vitest';
import {expectedLoadMs, selectModel, type SelectionInput, type TaskSignals} from '../../../src/manager/policy/selection.js';
import {DEMO, entry, GiB, keys, large, medium, REAL, small} from './fixtures.js';

type Row = Omit<Partial<SelectionInput>, 'task'> & {readonly task?: Partial<TaskSignals>};

function input({task, ...rest}: Row = {}): SelectionInput {
  return {
    entries: REAL,
    memory: {ramBytes: 16 * GiB},
    headroomBytes: GiB,
    loadedKeys: keys(),
    currentKey: null,
    autoSwitch: true,
    rules: {stayUpTurns: 3, switchCostBudgetMs: 3000, thresholds: {medium: 0.3, large: 0.6}},
    ...rest,
    task: {wantedTier: 'small', score: 0, turn: 1, ...task},
  };
}

const loaded = (key: string) => ({currentKey: key, loadedKeys: keys(key)});
const wants = (wantedTier: TaskSignals['wantedTier'], score = {small: 0, medium: 0.35, large: 0.7}[wantedTier]) => ({wantedTier, score});

describe('selectModel: the tier the task asks for, among the models that fit now', () => {
  it.each<{name: string; row: Row; action: string; key: string | null; reason?: string}>([
    {name: 'a simple message goes to the fastest adequate tier', row: {task: wants('small')}, action: 'switch', key: 'small-3b', reason: 'the message asks for small: small-3b'},
    {name: 'a medium message to the medium tier', row: {task: wants('medium')}, action: 'switch', key: 'medium-7b'},
    {name: 'a complex message to the largest tier', row: {task: wants('large')}, action: 'switch', key: 'large-13b'},
    {name: 'a complex message to the largest tier that fits', row: {task: wants('large'), memory: {ramBytes: 8 * GiB}}, action: 'switch', key: 'medium-7b'},
    {
      name: 'a simple message to a larger tier when its own does not fit',
      row: {task: wants('small'), entries: [medium, large]},
      action: 'switch',
      key: 'medium-7b',
    },
    {
      name: 'a fit re-checked against the memory free now, not the catalogue\'s "fits"',
      row: {task: wants('large'), entries: [small, {...large, fits: false}]},
      action: 'switch',
      key: 'large-13b',
    },
    {
      name: 'no model the catalogue said fits when memory has gone',
      row: {task: wants('large'), entries: [small, large], memory: {ramBytes: 4 * GiB}},
      action: 'switch',
      key: 'small-3b',
    },
    {name: 'a loaded model, which always fits', row: {task: wants('large'), memory: {ramBytes: GiB}, ...loaded('large-13b')}, action: 'stay', key: 'large-13b'},
    {name: 'a real model before a demo model of a larger tier', row: {task: wants('large'), entries: [...DEMO, small]}, action: 'switch', key: 'small-3b'},
    {name: 'demo models by tier when there is no real one', row: {task: wants('medium'), entries: DEMO}, action: 'switch', key: 'mai-demo-medium'},
    {
      name: 'the smaller of two models of a tier for a simple message',
      row: {task: wants('small'), entries: [entry('s-big', 'small', 3), entry('s-tiny', 'small', 1)]},
      action: 'switch',
      key: 's-tiny',
    },
    {
      name: 'the larger of two models of the top tier for a complex message',
      row: {task: wants('large'), entries: [entry('l-a', 'large', 8), entry('l-b', 'large', 10)]},
      action: 'switch',
      key: 'l-b',
    },
    {
      name: 'a loaded model of the tier before a faster one to load',
      row: {task: wants('small'), entries: [entry('s-big', 'small', 3), entry('s-tiny', 'small', 1)], loadedKeys: keys('s-big')},
      action: 'switch',
      key: 's-big',
    },
    {
      name: 'the current model when it is of the tier asked for',
      row: {task: wants('large'), entries: [large, entry('l-b', 'large', 10)], ...loaded('large-13b')},
      action: 'stay',
      key: 'large-13b',
      reason: 'the message asks for large: large-13b is large',
    },
    {
      name: 'another model when the current one failed',
      row: {task: wants('large'), ...loaded('large-13b'), excluded: keys('large-13b')},
      action: 'switch',
      key: 'medium-7b',
    },
    {
      name: 'the real model over a current demo model',
      row: {task: wants('small'), entries: [...DEMO, small], ...loaded('mai-demo-small')},
      action: 'switch',
      key: 'small-3b',
    },
  ])('$name', ({row, action, key, reason}) => {
    const decision = selectModel(input(row));
    expect([decision.action, decision.key]).toEqual([action, key]);
    if (reason) expect(decision.reason).toBe(reason);
  });

  it.each<{name: string; row: Row; key: string | null; reason: string}>([
    {
      name: 'the smallest model when nothing fits',
      row: {memory: {ramBytes: 2.5 * GiB}},
      key: 'small-3b',
      reason: 'no model fits in 2.5 GiB: the smallest, small-3b, needs 2.0 GiB, 2.5 GiB free',
    },
    {name: 'nothing when no model is usable', row: {entries: [{...small, unusable: 'truncated file'}]}, key: null, reason: 'no usable model'},
  ])('degrades to $name', ({row, key, reason}) => {
    expect(selectModel(input(row))).toEqual({action: 'degrade', key, reason});
  });
});

describe('selectModel: a pinned model, and automatic switching off', () => {
  it('uses the pinned model whatever the task asks for', () => {
    expect(selectModel(input({task: wants('large'), pinnedKey: 'small-3b'}))).toEqual({action: 'switch', key: 'small-3b', reason: 'pinned by you'});
    expect(selectModel(input({task: wants('large'), pinnedKey: 'small-3b', ...loaded('small-3b')}))).toEqual({
      action: 'stay',
      key: 'small-3b',
      reason: 'pinned by you',
    });
  });

  it.each<{name: string; row: Row; why: string}>([
    {name: 'unusable', row: {entries: [small, {...large, unusable: 'truncated file'}]}, why: 'truncated file'},
    {name: 'too large for the memory free', row: {memory: {ramBytes: 6 * GiB}}, why: 'needs 9.0 GiB, 6.0 GiB free'},
    {name: 'unknown', row: {entries: [small, medium]}, why: 'not found'},
    {name: 'failed for this request', row: {excluded: keys('large-13b')}, why: 'it failed just now'},
  ])('falls back, saying why, when the pinned model is $name', ({row, why}) => {
    const decision = selectModel(input({task: wants('small'), pinnedKey: 'large-13b', ...row}));
    expect(decision).toEqual({
      action: 'switch',
      key: 'small-3b',
      reason: `large-13b can't be used: ${why}; the message asks for small: small-3b`,
      pinnedFailed: {key: 'large-13b', why},
    });
  });

  it('stays on the current model while automatic switching is off', () => {
    const decision = selectModel(input({task: wants('large'), autoSwitch: false, ...loaded('small-3b')}));
    expect(decision).toEqual({action: 'stay', key: 'small-3b', reason: 'automatic switching is off'});
  });

  it('chooses by task with automatic switching off when the current model cannot run', () => {
    const decision = selectModel(input({task: wants('large'), autoSwitch: false, ...loaded('small-3b'), excluded: keys('small-3b')}));
    expect([decision.action, decision.key]).toEqual(['switch', 'large-13b']);
  });
});

describe('selectModel: no flip-flop, and a switch worth its load', () => {
  const onLarge = {...loaded('large-13b'), task: {...wants('small'), turn: 5, wentUpAtTurn: 4, previousWantedTier: 'small' as const}};
  const onSmall = {...loaded('small-3b'), loadMs: {'medium-7b': 5000, 'large-13b': 8000}};

  it.each<{name: string; row: Row; action: string; key: string; reason?: string}>([
    {name: 'stays up for stay_up_turns after going up', row: onLarge, action: 'stay', key: 'large-13b', reason: 'staying on large-13b for 2 more turns after going up'},
    {name: 'says one turn in the singular', row: {...onLarge, task: {...onLarge.task, turn: 6}}, action: 'stay', key: 'large-13b', reason: 'staying on large-13b for 1 more turn after going up'},
    {name: 'goes down once the turns have passed', row: {...onLarge, task: {...onLarge.task, turn: 7}}, action: 'switch', key: 'small-3b'},
    {name: 'goes down at once with stay_up_turns 0', row: {...onLarge, rules: {stayUpTurns: 0, switchCostBudgetMs: 3000, thresholds: {medium: 0.3, large: 0.6}}}, action: 'switch', key: 'small-3b'},
    {
      name: 'goes further up during the stay-up turns',
      row: {...loaded('medium-7b'), task: {...wants('large'), turn: 5, wentUpAtTurn: 4, previousWantedTier: 'large'}},
      action: 'switch',
      key: 'large-13b',
    },
    {
      name: 'stays for a one-off message just past the threshold when the load is over budget',
      row: {...onSmall, task: {...wants('medium', 0.35), previousWantedTier: 'small'}},
      action: 'stay',
      key: 'small-3b',
      reason: 'a one-off medium message: loading medium-7b would take 5.0 s (budget 3.0 s); staying on small-3b',
    },
    {name: 'stays on the first message of a conversation too', row: {...onSmall, task: wants('medium', 0.35)}, action: 'stay', key: 'small-3b'},
    {name: 'goes up when the last message asked for more too', row: {...onSmall, task: {...wants('medium', 0.35), previousWantedTier: 'medium'}}, action: 'switch', key: 'medium-7b'},
    {name: 'goes up for a message clearly past the threshold', row: {...onSmall, task: {...wants('medium', 0.45), previousWantedTier: 'small'}}, action: 'switch', key: 'medium-7b'},
    {name: 'goes up when the load is within budget', row: {...onSmall, loadMs: {'medium-7b': 2000}, task: wants('medium', 0.35)}, action: 'switch', key: 'medium-7b'},
    {name: 'goes up to a loaded model, which costs nothing', row: {...onSmall, loadedKeys: keys('small-3b', 'medium-7b'), task: wants('medium', 0.35)}, action: 'switch', key: 'medium-7b'},
    {
      name: 'stays up for a one-off simple message when going down costs a long load',
      row: {...loaded('large-13b'), loadMs: {'small-3b': 5000}, task: {...wants('small'), turn: 9, wentUpAtTurn: 1, previousWantedTier: 'large'}},
      action: 'stay',
      key: 'large-13b',
    },
    {
      name: 'goes down after two simple messages even when the load is long',
      row: {...loaded('large-13b'), loadMs: {'small-3b': 5000}, task: {...wants('small'), turn: 9, wentUpAtTurn: 1, previousWantedTier: 'small'}},
      action: 'switch',
      key: 'small-3b',
    },
  ])('$name', ({row, action, key, reason}) => {
    const decision = selectModel(input(row));
    expect([decision.action, decision.key]).toEqual([action, key]);
    if (reason) expect(decision.reason).toBe(reason);
  });
});

describe('selectModel: VRAM', () => {
  // 9 GiB in all: 3 of RAM, 6 of VRAM on top.
  const gpuLarge = {...large, estimateBytes: 3 * GiB, estimateVramBytes: 6 * GiB};
  it.each([
    {name: 'fits when both parts fit', memory: {ramBytes: 5 * GiB, vramBytes: 8 * GiB}, key: 'large-13b'},
    {name: 'does not fit when VRAM is short', memory: {ramBytes: 16 * GiB, vramBytes: 4 * GiB}, key: 'medium-7b'},
    {name: 'counts the whole estimate against RAM without VRAM figures', memory: {ramBytes: 5 * GiB}, key: 'small-3b'},
  ])('a model with a VRAM part $name', ({memory, key}) => {
    expect(selectModel(input({entries: [small, medium, gpuLarge], memory, task: wants('large')})).key).toBe(key);
  });

  it('names VRAM when it is what is short', () => {
    const decision = selectModel(input({entries: [gpuLarge], pinnedKey: 'large-13b', memory: {ramBytes: 16 * GiB, vramBytes: 4 * GiB}}));
    expect(decision).toMatchObject({action: 'degrade', pinnedFailed: {key: 'large-13b', why: 'needs 6.0 GiB of VRAM, 4.0 GiB free'}});
  });
});

describe('expectedLoadMs', () => {
  it.each([
    {name: 'nothing for a loaded model', loaded: true, measured: 4000, ms: 0},
    {name: 'the measured time', loaded: false, measured: 4000, ms: 4000},
    {name: 'engine start plus the file at 1 GiB/s without a measurement', loaded: false, measured: undefined, ms: 300 + 1600},
  ])('is $name', ({loaded: isLoaded, measured, ms}) => {
    const model = entry('m', 'medium', 2);
    expect(expectedLoadMs(model, isLoaded ? keys('m') : keys(), measured)).toBe(ms);
  });
});
