import {describe, expect, it} from 'vitest';
import type {PressureLevel} from '../../../src/store.js';
import {preloadDecision, usedTrend, type PreloadInput} from '../../../src/manager/policy/preload.js';
import {demoSmall, GiB, keys, large, medium, REAL} from './fixtures.js';

const levels = (ram: PressureLevel = 'ok', vram: PressureLevel = 'ok', cpu: PressureLevel = 'ok') => ({cpu, ram, vram, gpus: []});

// On medium-7b (loaded), 16 GiB free, pressure ok, complexity flat.
function input(over: Partial<PreloadInput> = {}): PreloadInput {
  return {
    enabled: true,
    canSwitch: true,
    levels: levels(),
    trend: {ram: 'steady', vram: 'steady'},
    recentScores: [0.3, 0.3, 0.3],
    thresholds: {medium: 0.3, large: 0.6},
    entries: REAL,
    memory: {ramBytes: 16 * GiB},
    headroomBytes: GiB,
    loadedKeys: keys('medium-7b'),
    currentKey: 'medium-7b',
    preloadingKey: null,
    ...over,
  };
}

const ramRising = {levels: levels('elevated'), trend: {ram: 'rising', vram: 'steady'}} as const;
const complexityRising = {recentScores: [0.2, 0.35, 0.5]};

describe('preloadDecision', () => {
  it.each<{name: string; over: Partial<PreloadInput>; decision: object}>([
    {name: 'nothing when no switch is expected', over: {}, decision: {action: 'none', reason: 'no switch expected'}},
    {
      name: 'the next smaller tier when RAM pressure is elevated and rising',
      over: ramRising,
      decision: {action: 'preload', key: 'small-3b', reason: 'RAM pressure elevated and rising: preloading small-3b'},
    },
    {
      name: 'the next smaller tier when VRAM pressure is elevated and rising',
      over: {levels: levels('ok', 'elevated'), trend: {ram: 'steady', vram: 'rising'}},
      decision: {action: 'preload', key: 'small-3b', reason: 'VRAM pressure elevated and rising: preloading small-3b'},
    },
    {name: 'nothing when elevated pressure holds steady', over: {levels: levels('elevated')}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing under critical pressure', over: {levels: levels('critical'), trend: {ram: 'rising', vram: 'steady'}}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing smaller when it does not fit', over: {...ramRising, memory: {ramBytes: 2 * GiB}}, decision: {action: 'none', reason: 'no switch expected'}},
    {
      name: 'the next larger tier when complexity keeps rising',
      over: complexityRising,
      decision: {action: 'preload', key: 'large-13b', reason: 'complexity rising (0.2 → 0.35 → 0.5): preloading large-13b'},
    },
    {name: 'nothing larger under elevated CPU pressure', over: {...complexityRising, levels: levels('ok', 'ok', 'elevated')}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing larger under elevated RAM pressure', over: {...complexityRising, levels: levels('elevated')}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing larger when it does not fit', over: {...complexityRising, memory: {ramBytes: 8 * GiB}}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing when complexity rose and fell', over: {recentScores: [0.2, 0.5, 0.45]}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing when the rise stays within the tier', over: {recentScores: [0.3, 0.32, 0.34]}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing with fewer than three turns', over: {recentScores: [0.2, 0.5]}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing when the model is loaded already', over: {...ramRising, loadedKeys: keys('medium-7b', 'small-3b')}, decision: {action: 'none', reason: 'small-3b is already loaded'}},
    {
      name: 'nothing more while the predicted model is preloading',
      over: {...ramRising, preloadingKey: 'small-3b'},
      decision: {action: 'none', reason: 'small-3b is preloaded: RAM pressure elevated and rising'},
    },
    {
      name: 'a real model before a demo model',
      over: {...ramRising, entries: [demoSmall, ...REAL]},
      decision: {action: 'preload', key: 'small-3b', reason: 'RAM pressure elevated and rising: preloading small-3b'},
    },
    {name: 'nothing with preload off', over: {...ramRising, enabled: false}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing while pinned', over: {...ramRising, canSwitch: false}, decision: {action: 'none', reason: 'no switch expected'}},
    {name: 'nothing without a current model', over: {...ramRising, currentKey: null}, decision: {action: 'none', reason: 'no switch expected'}},
  ])('$name', ({over, decision}) => {
    expect(preloadDecision(input(over))).toEqual(decision);
  });

  it.each<{name: string; over: Partial<PreloadInput>; reason: string}>([
    {name: 'the prediction lapses', over: {preloadingKey: 'small-3b'}, reason: 'cancelling the preload of small-3b: the switch no longer looks likely'},
    {name: 'pressure turns critical', over: {preloadingKey: 'small-3b', levels: levels('critical'), trend: {ram: 'rising', vram: 'steady'}}, reason: 'cancelling the preload of small-3b: the switch no longer looks likely'},
    {name: 'another model is now expected', over: {...complexityRising, preloadingKey: 'small-3b'}, reason: 'cancelling the preload of small-3b: now expecting large-13b'},
    {name: 'preload is turned off', over: {...ramRising, enabled: false, preloadingKey: 'small-3b'}, reason: 'cancelling the preload of small-3b: preload is off'},
    {name: 'a model is pinned', over: {...ramRising, canSwitch: false, preloadingKey: 'small-3b'}, reason: 'cancelling the preload of small-3b: no automatic switch to prepare for'},
  ])('cancels when $name', ({over, reason}) => {
    expect(preloadDecision(input(over))).toEqual({action: 'cancel', key: 'small-3b', reason});
  });

  it('counts a model being preloaded as paid for when it is still expected', () => {
    const decision = preloadDecision(input({...complexityRising, preloadingKey: 'large-13b', memory: {ramBytes: 2 * GiB}}));
    expect(decision).toEqual({action: 'none', reason: 'large-13b is preloaded: complexity rising (0.2 → 0.35 → 0.5)'});
  });

  it('goes up from the smallest tier to the tier the rise points at', () => {
    const decision = preloadDecision(input({recentScores: [0.1, 0.2, 0.3], entries: [REAL[0], medium, large], currentKey: 'small-3b', loadedKeys: keys('small-3b')}));
    expect(decision).toEqual({action: 'preload', key: 'medium-7b', reason: 'complexity rising (0.1 → 0.2 → 0.3): preloading medium-7b'});
  });
});

describe('usedTrend', () => {
  it.each<[number[], string]>([
    [[], 'steady'],
    [[50, 60], 'steady'],
    [[50, 50.2, 50.4, 50.6, 50.8], 'steady'],
    [[50, 50.5, 51, 51.5, 52], 'rising'],
    [[10, 20, 50, 50.5, 51, 51.5, 52], 'rising'],
    [[60, 59, 58, 57, 56], 'falling'],
  ])('%j is %s', (history, trend) => {
    expect(usedTrend(history)).toBe(trend);
  });
});
