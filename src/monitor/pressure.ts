// Pressure levels (DESIGN.md §4): pure decisions over a series of values, no clock and no I/O, so
// that recorded and generated series can be replayed in tests.
//
// The rules, and why:
// - Rising pressure is taken at once: running out of memory is what mai must react to, and a
//   level that lags the machine is worse than none.
// - Hysteresis: a level is entered at its threshold and left only `hysteresis` points back on the
//   safe side of it, so a value wobbling around a threshold does not toggle the level.
// - Dwell: easing (moving to a lower level) needs the lower level indicated for `dwellMs` without
//   interruption; any sample back at the current level restarts the wait. Together with hysteresis
//   this bounds a noisy series to one rise and one fall per excursion. The same rule keeps kubelet's
//   memory-pressure condition calm (its "pressure transition period").
// - Decisions are taken on a smoothed value (an EWMA with a half-life per resource): CPU % is a
//   rate over one interval and jumps with every compile, memory available is a level whose drops
//   are real, so the bundled config smooths CPU and not memory.

export const PRESSURE_LEVELS = ['ok', 'elevated', 'critical'] as const;
export type PressureLevel = (typeof PRESSURE_LEVELS)[number];

const RANK: Readonly<Record<PressureLevel, number>> = {ok: 0, elevated: 1, critical: 2};

export function worseLevel(a: PressureLevel, b: PressureLevel): PressureLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

export type PressureRule = {
  /** 'rising': pressure grows with the value (CPU %); 'falling': it grows as the value falls (free %). */
  readonly direction: 'rising' | 'falling';
  /** Where elevated and critical pressure begin. */
  readonly elevated: number;
  readonly critical: number;
  /** How far back past a threshold the value must go before its level is left (same unit). */
  readonly hysteresis: number;
  /** How long a lower level must be indicated, without interruption, before pressure eases. */
  readonly dwellMs: number;
};

export type PressureState = {
  readonly level: PressureLevel;
  /** When the current level was entered. */
  readonly since: number;
  /** A lower level indicated since `since`; `to` is the worst level indicated during that wait. */
  readonly easing: {readonly since: number; readonly to: PressureLevel} | null;
};

export function initialPressure(now: number): PressureState {
  return {level: 'ok', since: now, easing: null};
}

/** The level `value` indicates for a resource now at `current`, with hysteresis. */
export function indicatedLevel(value: number, current: PressureLevel, rule: PressureRule): PressureLevel {
  // Turn every rule into a rising one: higher severity is worse.
  const sign = rule.direction === 'rising' ? 1 : -1;
  const severity = sign * value;
  const critical = sign * rule.critical;
  const elevated = sign * rule.elevated;
  const isCritical = current === 'critical' ? severity > critical - rule.hysteresis : severity >= critical;
  if (isCritical) return 'critical';
  const isElevated = current !== 'ok' ? severity > elevated - rule.hysteresis : severity >= elevated;
  return isElevated ? 'elevated' : 'ok';
}

/** The state after one more (smoothed) value at time `now`. A value that is not a number changes nothing. */
export function nextPressure(state: PressureState, value: number, now: number, rule: PressureRule): PressureState {
  if (!Number.isFinite(value)) return state;
  const target = indicatedLevel(value, state.level, rule);
  if (RANK[target] > RANK[state.level]) return {level: target, since: now, easing: null};
  if (target === state.level) return state.easing ? {...state, easing: null} : state;
  const easing = state.easing ? {since: state.easing.since, to: worseLevel(state.easing.to, target)} : {since: now, to: target};
  if (now - easing.since < rule.dwellMs) return {...state, easing};
  // Eased to the worst level seen while waiting; if this sample is lower still, that wait starts now.
  return {level: easing.to, since: now, easing: target === easing.to ? null : {since: now, to: target}};
}

/**
 * An exponentially weighted moving average that weighs by time, not by sample count, so a shorter
 * sample interval does not change how fast it follows: after `halfLifeMs` a step is half taken.
 * A half-life of 0 (or no previous value) returns the value itself.
 */
export function ewma(previous: number | null, value: number, elapsedMs: number, halfLifeMs: number): number {
  if (previous === null || !Number.isFinite(previous) || halfLifeMs <= 0) return value;
  if (!Number.isFinite(value)) return previous;
  const alpha = 1 - 2 ** (-Math.max(0, elapsedMs) / halfLifeMs);
  return previous + alpha * (value - previous);
}
