// Whether the model answering now is struggling (DESIGN.md §5): no first token in time, too few
// tokens/s, or degenerate repetition. A state machine fed as the reply streams, with the clock
// passed in, so a test can replay any stream at any pace. The caller checks on every chunk and on
// a timer too: a model that stops sending text never calls onText, and that is the case to catch.

import type {StruggleLimits} from '../../config/types.js';
import {secondsText} from './fit.js';

export type StruggleKind = 'slow-first-token' | 'slow' | 'repetition';
export type Struggle = {readonly kind: StruggleKind; readonly reason: string};

export type StruggleWatch = {
  onText(chunk: string, nowMs: number): void;
  check(nowMs: number): Struggle | null;
};

/**
 * Tokens are counted as characters / 4 (the usual ratio for English with BPE vocabularies): a
 * floor of a few tokens/s does not need the tokenizer, and backends stream text, not tokens.
 */
export const CHARS_PER_TOKEN = 4;
/** A repeated unit is 8 to 100 characters: shorter runs are rules and laughter ("-----", "hahaha"), longer ones are rare. */
export const MIN_UNIT = 8;
export const MAX_UNIT = 100;
/** A unit must follow itself this many times before it counts: twice happens in honest prose. */
export const MIN_REPEATS = 3;
const FENCE = '```';

type Repetition = {readonly unit: number; readonly repeats: number};

export function createStruggleWatch(limits: StruggleLimits, startedAtMs: number): StruggleWatch {
  let firstTextAt: number | null = null;
  let chars = 0;
  /** When the reply reached judgeAfterTokens: speed is judged over windows that start after it. */
  let judgedFrom: number | null = null;
  const recent: {at: number; chars: number}[] = [];
  const fence = {open: false, ticks: 0};
  let prose = '';
  let repetition: Repetition | null = null;

  const dropOld = (nowMs: number) => {
    while (recent.length > 0 && (recent[0]?.at ?? nowMs) <= nowMs - limits.windowMs) recent.shift();
  };

  return {
    onText(chunk, nowMs) {
      if (chunk.length === 0) return;
      firstTextAt ??= nowMs;
      chars += chunk.length;
      if (judgedFrom === null && chars / CHARS_PER_TOKEN >= limits.judgeAfterTokens) judgedFrom = nowMs;
      recent.push({at: nowMs, chars: chunk.length});
      dropOld(nowMs);
      const added = outsideFences(chunk, fence);
      if (added.length > 0) {
        prose = (prose + added).slice(-limits.repeatWindowChars);
        repetition = findRepetition(prose, limits);
      }
    },
    check(nowMs) {
      if (firstTextAt === null) {
        const waited = nowMs - startedAtMs;
        return waited > limits.maxTtftMs
          ? {kind: 'slow-first-token', reason: `no first token after ${secondsText(waited)} (limit ${secondsText(limits.maxTtftMs)})`}
          : null;
      }
      if (repetition) {
        return {kind: 'repetition', reason: `the same ${repetition.unit} characters repeated ${repetition.repeats} times`};
      }
      if (limits.minTokensPerS > 0 && judgedFrom !== null && nowMs - judgedFrom >= limits.windowMs) {
        dropOld(nowMs);
        const tokens = recent.reduce((sum, event) => sum + event.chars, 0) / CHARS_PER_TOKEN;
        const rate = tokens / (limits.windowMs / 1000);
        if (rate < limits.minTokensPerS) {
          return {kind: 'slow', reason: `${rate.toFixed(1)} tokens/s over the last ${secondsText(limits.windowMs)} (floor ${limits.minTokensPerS})`};
        }
      }
      return null;
    },
  };
}

/** The text of `chunk` outside ``` fences; `state` carries an open fence and backticks split across chunks. */
function outsideFences(chunk: string, state: {open: boolean; ticks: number}): string {
  let out = '';
  for (const char of chunk) {
    if (char === '`') {
      state.ticks += 1;
      if (state.ticks === FENCE.length) {
        state.open = !state.open;
        state.ticks = 0;
      }
      continue;
    }
    if (state.ticks > 0 && !state.open) out += '`'.repeat(state.ticks);
    state.ticks = 0;
    if (!state.open) out += char;
  }
  return out;
}

/**
 * The shortest unit whose repeats make up the end of `text` and more than max_repeat_ratio of the
 * window, or null. A unit shorter than MIN_UNIT that qualifies first means a run of one character
 * or a short syllable, which is not degenerate.
 */
export function findRepetition(text: string, limits: Pick<StruggleLimits, 'maxRepeatRatio' | 'repeatWindowChars'>): Repetition | null {
  const needed = limits.maxRepeatRatio * limits.repeatWindowChars;
  for (let unit = 1; unit <= Math.min(MAX_UNIT, Math.floor(text.length / MIN_REPEATS)); unit++) {
    let j = text.length - 1;
    while (j - unit >= 0 && text[j] === text[j - unit]) j--;
    const periodic = text.length - 1 - j + unit;
    if (periodic < MIN_REPEATS * unit || periodic <= needed) continue;
    return unit < MIN_UNIT ? null : {unit, repeats: Math.floor(periodic / unit)};
  }
  return null;
}
