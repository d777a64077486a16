import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {
  ewma,
  indicatedLevel,
  initialPressure,
  nextPressure,
  type PressureLevel,
  type PressureRule,
  type PressureState,
} from '../../src/monitor/pressure.js';

// The pressure decisions on recorded and generated series: thresholds, hysteresis, dwell, and no
// flapping on noise around a threshold.

const RAM: PressureRule = {direction: 'falling', elevated: 15, critical: 7, hysteresis: 3, dwellMs: 5000};
const CPU: PressureRule = {direction: 'rising', elevated: 85, critical: 95, hysteresis: 3, dwellMs: 5000};

/** Replays `values`, one every `intervalMs`, through the rule (with smoothing when `halfLifeMs` > 0). */
function replay(values: readonly number[], rule: PressureRule, intervalMs = 1000, halfLifeMs = 0): PressureLevel[] {
  let state: PressureState = initialPressure(0);
  let smoothed: number | null = null;
  return values.map((value, i) => {
    smoothed = ewma(smoothed, value, intervalMs, halfLifeMs);
    state = nextPressure(state, smoothed, (i + 1) * intervalMs, rule);
    return state.level;
  });
}

function transitions(levels: readonly PressureLevel[]): number {
  return levels.filter((level, i) => i > 0 && level !== levels[i - 1]).length;
}

/** A deterministic noise source (mulberry32), so a generated series is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the level a value indicates', () => {
  it.each<[string, PressureRule, number, PressureLevel, PressureLevel]>([
    // rule, value, current level, indicated level
    ['RAM: plenty free', RAM, 50, 'ok', 'ok'],
    ['RAM: at the elevated threshold', RAM, 15, 'ok', 'elevated'],
    ['RAM: just above it', RAM, 15.1, 'ok', 'ok'],
    ['RAM: at the critical threshold', RAM, 7, 'ok', 'critical'],
    ['RAM: elevated stays until 3 points back', RAM, 17.9, 'elevated', 'elevated'],
    ['RAM: elevated leaves at 3 points back', RAM, 18, 'elevated', 'ok'],
    ['RAM: critical stays until 3 points back', RAM, 9.9, 'critical', 'critical'],
    ['RAM: critical eases to elevated', RAM, 10, 'critical', 'elevated'],
    ['RAM: critical to ok in one step', RAM, 40, 'critical', 'ok'],
    ['RAM: elevated rises to critical', RAM, 6, 'elevated', 'critical'],
    ['CPU: idle', CPU, 10, 'ok', 'ok'],
    ['CPU: at the elevated threshold', CPU, 85, 'ok', 'elevated'],
    ['CPU: at the critical threshold', CPU, 95, 'ok', 'critical'],
    ['CPU: elevated stays until 3 points back', CPU, 82.1, 'elevated', 'elevated'],
    ['CPU: elevated leaves at 3 points back', CPU, 82, 'elevated', 'ok'],
    ['CPU: critical eases to elevated', CPU, 92, 'critical', 'elevated'],
  ])('%s', (_name, rule, value, current, expected) => {
    expect(indicatedLevel(value, current, rule)).toBe(expected);
  });
});

describe('the pressure state over time', () => {
  it('rises at once, to the level the value indicates', () => {
    const state = nextPressure(initialPressure(0), 5, 1000, RAM);
    expect(state).toEqual({level: 'critical', since: 1000, easing: null});
  });

  it('eases only after the lower level has held for the dwell time', () => {
    let state = nextPressure(initialPressure(0), 5, 0, RAM);
    state = nextPressure(state, 50, 1000, RAM);
    expect(state.level).toBe('critical');
    state = nextPressure(state, 50, 5999, RAM);
    expect(state.level).toBe('critical');
    state = nextPressure(state, 50, 6000, RAM);
    expect(state).toEqual({level: 'ok', since: 6000, easing: null});
  });

  it('restarts the wait when the value comes back to the current level', () => {
    let state = nextPressure(initialPressure(0), 5, 0, RAM);
    state = nextPressure(state, 50, 1000, RAM);
    state = nextPressure(state, 5, 4000, RAM); // back to critical: the wait starts over
    state = nextPressure(state, 50, 5000, RAM);
    state = nextPressure(state, 50, 9999, RAM);
    expect(state.level).toBe('critical');
    state = nextPressure(state, 50, 10_000, RAM);
    expect(state.level).toBe('ok');
  });

  it('eases to the worst level indicated while waiting', () => {
    let state = nextPressure(initialPressure(0), 5, 0, RAM);
    state = nextPressure(state, 50, 1000, RAM); // ok
    state = nextPressure(state, 12, 2000, RAM); // elevated
    state = nextPressure(state, 50, 6000, RAM); // ok again, but elevated was seen while waiting
    expect(state.level).toBe('elevated');
    state = nextPressure(state, 50, 10_999, RAM);
    expect(state.level).toBe('elevated');
    state = nextPressure(state, 50, 11_000, RAM);
    expect(state.level).toBe('ok');
  });

  it('with no dwell, eases on the first lower sample', () => {
    const rule = {...RAM, dwellMs: 0};
    let state = nextPressure(initialPressure(0), 5, 0, rule);
    state = nextPressure(state, 50, 1, rule);
    expect(state.level).toBe('ok');
  });

  it('ignores a value that is not a number', () => {
    const state = nextPressure(initialPressure(0), 5, 0, RAM);
    expect(nextPressure(state, Number.NaN, 1000, RAM)).toBe(state);
  });

  it('keeps the same state object while nothing changes', () => {
    const state = initialPressure(0);
    expect(nextPressure(state, 50, 1000, RAM)).toBe(state);
  });
});

describe('generated series', () => {
  it('noise around a threshold gives one rise and no flapping', () => {
    const next = random(42);
    // Free RAM wobbling ±2 points around the elevated threshold (15) for 10 minutes at 1 Hz.
    const values = Array.from({length: 600}, () => 15 + (next() * 2 - 1) * 2);
    const levels = replay(values, RAM);
    expect(levels).toContain('elevated');
    expect(levels).not.toContain('critical');
    expect(transitions(levels)).toBe(1);
  });

  it('noise wider than the hysteresis still does not flap: the dwell holds the level', () => {
    const next = random(7);
    const values = Array.from({length: 600}, () => 15 + (next() * 2 - 1) * 6);
    const levels = replay(values, RAM);
    // Without dwell and hysteresis, the same series would change level hundreds of times.
    const raw = replay(values, {...RAM, hysteresis: 0, dwellMs: 0});
    expect(transitions(raw)).toBeGreaterThan(100);
    expect(transitions(levels)).toBeLessThanOrEqual(2);
  });

  it('a step down and back up: rises on the first sample, falls after the dwell', () => {
    const values = [...Array<number>(10).fill(60), ...Array<number>(10).fill(5), ...Array<number>(20).fill(60)];
    const levels = replay(values, RAM);
    expect(levels.indexOf('critical')).toBe(10);
    // Back at 60 from sample 20; the dwell is 5 samples of 1 s.
    expect(levels.lastIndexOf('critical')).toBe(24);
    expect(levels.slice(25).every((level) => level === 'ok')).toBe(true);
    expect(transitions(levels)).toBe(2);
  });

  it('a slow drain goes ok, elevated, critical in order', () => {
    const values = Array.from({length: 60}, (_, i) => 60 - i);
    const levels = replay(values, RAM);
    expect(levels[45]).toBe('elevated'); // 15 % free
    expect(levels[53]).toBe('critical'); // 7 % free
    expect(levels[52]).toBe('elevated');
    expect(transitions(levels)).toBe(2);
  });
});

describe('recorded series', () => {
  const cpu = JSON.parse(readFileSync(new URL('./fixtures/cpu-series.json', import.meta.url), 'utf8')) as {
    intervalMs: number;
    usedPct: number[];
  };
  const ram = JSON.parse(readFileSync(new URL('./fixtures/ram-free-series.json', import.meta.url), 'utf8')) as {
    intervalMs: number;
    freePct: number[];
  };

  it('CPU bursts of a few seconds (up to 99 %) do not reach critical once smoothed', () => {
    expect(Math.max(...cpu.usedPct)).toBeGreaterThanOrEqual(95);
    const raw = replay(cpu.usedPct, {...CPU, dwellMs: 0}, cpu.intervalMs, 0);
    expect(raw).toContain('critical');
    // The bundled config: a 3 s half-life for CPU.
    const smoothed = replay(cpu.usedPct, CPU, cpu.intervalMs, 3000);
    expect(smoothed).not.toContain('critical');
    expect(transitions(smoothed)).toBeLessThanOrEqual(2);
  });

  it('a 3 GiB allocation, recorded every 250 ms: thresholds just under the baseline rise within a second and fall after the dwell', () => {
    // Recorded at 96 % free; the hog took it to 84.3 % and gave it back at 7 s.
    const rule: PressureRule = {direction: 'falling', elevated: 92, critical: 87, hysteresis: 1, dwellMs: 1000};
    const levels = replay(ram.freePct, rule, ram.intervalMs, 0);
    const firstAllocating = ram.freePct.findIndex((value) => value < 95);
    const firstCritical = levels.indexOf('critical');
    expect(levels.slice(0, firstAllocating).every((level) => level === 'ok')).toBe(true);
    expect(levels[firstAllocating + 1]).not.toBe('ok');
    expect(firstCritical - firstAllocating).toBeLessThanOrEqual(4); // within 4 samples of 250 ms
    const freedAt = ram.freePct.findIndex((value, i) => i > firstCritical && value > 95);
    expect(levels[freedAt]).toBe('critical'); // held for the dwell
    expect(levels.at(-1)).toBe('ok');
    expect(transitions(levels)).toBe(3); // ok → elevated → critical → ok
  });
});

describe('ewma', () => {
  it.each<[string, number | null, number, number, number, number]>([
    // previous, value, elapsed ms, half-life ms, expected
    ['the first value as it is', null, 40, 1000, 1000, 40],
    ['half way after one half-life', 0, 100, 1000, 1000, 50],
    ['three quarters after two', 0, 100, 2000, 1000, 75],
    ['no smoothing with a half-life of 0', 10, 90, 1000, 0, 90],
    ['no time, no change', 10, 90, 0, 1000, 10],
    ['a NaN sample keeps the average', 10, Number.NaN, 1000, 1000, 10],
  ])('%s', (_name, previous, value, elapsed, halfLife, expected) => {
    expect(ewma(previous, value, elapsed, halfLife)).toBeCloseTo(expected, 6);
  });

  it('follows a step the same way at 250 ms and at 1 s', () => {
    let fast = 0;
    for (let i = 0; i < 12; i++) fast = ewma(fast, 100, 250, 3000);
    let slow = 0;
    for (let i = 0; i < 3; i++) slow = ewma(slow, 100, 1000, 3000);
    expect(fast).toBeCloseTo(slow, 6);
  });
});
