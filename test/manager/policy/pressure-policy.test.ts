import {describe, expect, it} from 'vitest';
import {criticalSince, okSince, pressureAction, recoveredFrom, type PressureInput} from '../../../src/manager/policy/pressure-policy.js';
import type {PressureChange, PressureLevel, PressureLevels, PressureResource} from '../../../src/store.js';
import {demoMedium, GiB, keys, REAL} from './fixtures.js';

function levels(ram: PressureLevel = 'ok', vram: PressureLevel = 'ok', cpu: PressureLevel = 'ok'): PressureLevels {
  return {cpu, ram, vram, gpus: []};
}
function change(resource: PressureResource, from: PressureLevel, to: PressureLevel, at: number, gpu?: number): PressureChange {
  return {resource, from, to, at, value: 5, ...(gpu === undefined ? {} : {gpu})};
}

describe('criticalSince', () => {
  it.each<{name: string; levels: PressureLevels; changes: PressureChange[]; resource: 'ram' | 'vram'; since: number | null}>([
    {name: 'nothing while RAM is not critical', levels: levels('elevated'), changes: [change('ram', 'ok', 'elevated', 1000)], resource: 'ram', since: null},
    {name: 'the change into critical', levels: levels('critical'), changes: [change('ram', 'ok', 'critical', 1000)], resource: 'ram', since: 1000},
    {
      name: 'the step from elevated, not the start of elevated',
      levels: levels('critical'),
      changes: [change('ram', 'ok', 'elevated', 1000), change('cpu', 'ok', 'elevated', 2000), change('ram', 'elevated', 'critical', 3000)],
      resource: 'ram',
      since: 3000,
    },
    {
      name: 'the latest entry after an easing',
      levels: levels('critical'),
      changes: [change('ram', 'ok', 'critical', 1000), change('ram', 'critical', 'elevated', 5000), change('ram', 'elevated', 'critical', 8000)],
      resource: 'ram',
      since: 8000,
    },
    {
      name: 'the first GPU into critical while another one still is',
      levels: levels('ok', 'critical'),
      changes: [change('vram', 'ok', 'critical', 1000, 0), change('vram', 'ok', 'critical', 2000, 1), change('vram', 'critical', 'elevated', 3000, 0)],
      resource: 'vram',
      since: 1000,
    },
    {
      name: 'the oldest kept change when the entry was dropped',
      levels: levels('critical'),
      changes: [change('cpu', 'ok', 'elevated', 4000), change('cpu', 'elevated', 'ok', 6000)],
      resource: 'ram',
      since: 4000,
    },
    {name: 'nothing without any change to go by', levels: levels('critical'), changes: [], resource: 'ram', since: null},
  ])('$name', ({levels: now, changes, resource, since}) => {
    expect(criticalSince(now, changes, resource)).toBe(since);
  });
});

describe('okSince', () => {
  it.each([
    {name: 'the last change when everything is ok', levels: levels(), changes: [change('ram', 'elevated', 'ok', 7000)], started: 0, since: 7000},
    {name: 'the monitor start without changes', levels: levels(), changes: [], started: 500, since: 500},
    {name: 'nothing while CPU is elevated', levels: levels('ok', 'ok', 'elevated'), changes: [change('cpu', 'ok', 'elevated', 7000)], started: 0, since: null},
    {name: 'nothing while VRAM is critical', levels: levels('ok', 'critical'), changes: [], started: 0, since: null},
  ])('is $name', ({levels: now, changes, started, since}) => {
    expect(okSince(now, changes, started)).toBe(since);
  });
});

describe('recoveredFrom', () => {
  const pressure = {
    ramFreePct: {elevated: 15, critical: 7},
    vramFreePct: {elevated: 15, critical: 7},
    cpuPct: {elevated: 85, critical: 95},
    hysteresisPct: 3,
    dwellMs: 5000,
    smoothingMs: {cpu: 0, ram: 0, vram: 0},
  };
  it.each([
    {name: 'RAM above critical', smoothed: {cpuPct: 50, ramFreePct: 9, vramFreePct: []}, result: {ram: true, vram: false}},
    {name: 'RAM still below', smoothed: {cpuPct: 50, ramFreePct: 5, vramFreePct: []}, result: {ram: false, vram: false}},
    {name: 'every GPU above critical', smoothed: {cpuPct: 50, ramFreePct: 5, vramFreePct: [20, null, 8]}, result: {ram: false, vram: true}},
    {name: 'one GPU still below', smoothed: {cpuPct: 50, ramFreePct: 5, vramFreePct: [20, 3]}, result: {ram: false, vram: false}},
    {name: 'nothing before the first sample', smoothed: null, result: {ram: false, vram: false}},
  ])('$name', ({smoothed, result}) => {
    expect(recoveredFrom(smoothed, pressure)).toEqual(result);
  });
});

// On large-13b (loaded by mai), RAM critical since 7 s, 2 GiB free: switching frees its 9 GiB.
function underPressure(over: Partial<PressureInput> = {}): PressureInput {
  return {
    now: 10_000,
    levels: levels('critical'),
    changes: [change('ram', 'ok', 'critical', 7000)],
    switchDownAfterMs: 2000,
    switchUpAfterMs: 30_000,
    spareEngine: false,
    idleKeys: [],
    entries: REAL,
    memory: {ramBytes: 2 * GiB},
    headroomBytes: GiB,
    loadedKeys: keys('large-13b'),
    currentKey: 'large-13b',
    freedBySwitchBytes: 9 * GiB,
    wantedTier: 'large',
    canSwitch: true,
    ...over,
  };
}

describe('pressureAction: critical memory', () => {
  it.each<{name: string; over: Partial<PressureInput>; action: object}>([
    {name: 'waits out switch_down_after_ms', over: {now: 8000}, action: {action: 'none', reason: 'RAM critical for 1.0 s: waiting 1.0 s more'}},
    {name: 'releases the spare engine first', over: {spareEngine: true, idleKeys: ['small-3b']}, action: {action: 'release-spare', reason: 'RAM critical for 3.0 s: releasing the spare engine'}},
    {
      name: 'then unloads idle models mai loaded',
      over: {idleKeys: ['small-3b', 'medium-7b']},
      action: {action: 'unload-idle', keys: ['small-3b', 'medium-7b'], reason: 'RAM critical for 3.0 s: unloading idle small-3b, medium-7b'},
    },
    {name: 'then switches down one tier', over: {}, action: {action: 'switch-down', key: 'medium-7b', reason: 'RAM critical for 3.0 s: down to medium-7b'}},
    {
      name: 'goes down two tiers when the next one does not fit the memory the switch frees',
      over: {freedBySwitchBytes: 2 * GiB},
      action: {action: 'switch-down', key: 'small-3b', reason: 'RAM critical for 3.0 s: down to small-3b'},
    },
    {name: 'stays when nothing smaller fits', over: {freedBySwitchBytes: 0}, action: {action: 'none', reason: 'RAM critical for 3.0 s: no smaller model fits'}},
    {
      name: 'a real model before a demo model',
      over: {entries: [...REAL, demoMedium], freedBySwitchBytes: 2 * GiB},
      action: {action: 'switch-down', key: 'small-3b', reason: 'RAM critical for 3.0 s: down to small-3b'},
    },
    {name: 'gives a step time to work', over: {lastStepAt: 9000}, action: {action: 'none', reason: 'RAM critical for 3.0 s: waiting 1.0 s more'}},
    {
      name: 'waits while the dwell holds a level whose memory is back',
      over: {recovered: {ram: true}},
      action: {action: 'none', reason: 'RAM critical for 3.0 s: memory is back, waiting for the level to ease'},
    },
    {
      name: 'does not switch while pinned or with automatic switching off',
      over: {canSwitch: false},
      action: {action: 'none', reason: 'RAM critical for 3.0 s: staying on large-13b (automatic switching is off or a model is pinned)'},
    },
    {
      name: 'still releases the spare engine while pinned',
      over: {canSwitch: false, spareEngine: true},
      action: {action: 'release-spare', reason: 'RAM critical for 3.0 s: releasing the spare engine'},
    },
    {
      name: 'stays on the smallest tier',
      over: {currentKey: 'small-3b', loadedKeys: keys('small-3b')},
      action: {action: 'none', reason: 'RAM critical for 3.0 s: small-3b is already the smallest tier'},
    },
    {name: 'has nothing to switch from without a model', over: {currentKey: null}, action: {action: 'none', reason: 'RAM critical for 3.0 s: no model to switch from'}},
    {
      name: 'names VRAM when VRAM is critical',
      over: {levels: levels('ok', 'critical'), changes: [change('vram', 'ok', 'critical', 5500, 0)]},
      action: {action: 'switch-down', key: 'medium-7b', reason: 'VRAM critical for 4.5 s: down to medium-7b'},
    },
    {
      name: 'names the resource critical for longest',
      over: {levels: levels('critical', 'critical'), changes: [change('vram', 'ok', 'critical', 4000, 0), change('ram', 'ok', 'critical', 7000)]},
      action: {action: 'switch-down', key: 'medium-7b', reason: 'VRAM critical for 6.0 s: down to medium-7b'},
    },
  ])('$name', ({over, action}) => {
    expect(pressureAction(underPressure(over))).toEqual(action);
  });
});

// On medium-7b, the conversation wants large, everything ok since 5 s, 16 GiB free, now 40 s.
function calm(over: Partial<PressureInput> = {}): PressureInput {
  return underPressure({
    now: 40_000,
    levels: levels(),
    changes: [change('ram', 'ok', 'critical', 1000), change('ram', 'critical', 'ok', 5000)],
    memory: {ramBytes: 16 * GiB},
    loadedKeys: keys('medium-7b'),
    currentKey: 'medium-7b',
    freedBySwitchBytes: 5 * GiB,
    ...over,
  });
}

describe('pressureAction: back up', () => {
  it.each<{name: string; over: Partial<PressureInput>; action: object}>([
    {
      name: 'switches up after switch_up_after_ms of ok pressure',
      over: {},
      action: {action: 'switch-up', key: 'large-13b', reason: 'pressure ok for 35.0 s: up to large-13b (the conversation asks for large)'},
    },
    {name: 'waits out switch_up_after_ms', over: {now: 20_000}, action: {action: 'none', reason: 'pressure ok for 15.0 s: waiting before switching up'}},
    {name: 'never while anything is elevated', over: {levels: levels('ok', 'ok', 'elevated')}, action: {action: 'none', reason: 'pressure is not ok everywhere: not switching up'}},
    {name: 'not when the conversation wants no more', over: {wantedTier: 'medium'}, action: {action: 'none', reason: 'no larger tier wanted'}},
    {name: 'not when the larger tier does not fit', over: {memory: {ramBytes: 8 * GiB}}, action: {action: 'none', reason: 'no large model fits yet'}},
    {
      name: 'to the tier between when the one asked for does not fit',
      over: {currentKey: 'small-3b', loadedKeys: keys('small-3b'), memory: {ramBytes: 8 * GiB}},
      action: {action: 'switch-up', key: 'medium-7b', reason: 'pressure ok for 35.0 s: up to medium-7b (the conversation asks for large)'},
    },
    {name: 'not while pinned', over: {canSwitch: false}, action: {action: 'none', reason: 'automatic switching is off or a model is pinned'}},
    {
      name: 'from the monitor start when pressure never changed',
      over: {changes: [], monitorStartedAt: 0},
      action: {action: 'switch-up', key: 'large-13b', reason: 'pressure ok for 40.0 s: up to large-13b (the conversation asks for large)'},
    },
    {
      name: 'at once when the monitor start is unknown',
      over: {changes: []},
      action: {action: 'switch-up', key: 'large-13b', reason: 'pressure ok: up to large-13b (the conversation asks for large)'},
    },
  ])('$name', ({over, action}) => {
    expect(pressureAction(calm(over))).toEqual(action);
  });
});
