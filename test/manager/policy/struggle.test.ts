import {describe, expect, it} from 'vitest';
import type {StruggleLimits} from '../../../src/config/types.js';
import {createStruggleWatch, findRepetition, type StruggleWatch} from '../../../src/manager/policy/struggle.js';
import {TEST_MODELS} from '../../support/models.js';

const limits: StruggleLimits = {maxTtftMs: 15_000, minTokensPerS: 2, maxRepeatRatio: 0.5, windowMs: 5000, judgeAfterTokens: 16, repeatWindowChars: 400};

/** `count` chunks of `chunk`, one every `everyMs` from `fromMs`; returns the time of the last. */
function feed(watch: StruggleWatch, chunk: string, count: number, everyMs: number, fromMs = 0): number {
  let at = fromMs;
  for (let i = 0; i < count; i++) {
    at = fromMs + i * everyMs;
    watch.onText(chunk, at);
  }
  return at;
}

/** Streams `text` in word-sized pieces as the engine does, and returns the first struggle and how much text it took. */
function streamUntilStruggle(text: string, watchLimits = limits) {
  const watch = createStruggleWatch(watchLimits, 0);
  const pieces = text.match(/\s*[^\s.]+\.?/g) ?? [];
  let seen = 0;
  for (const [i, piece] of pieces.entries()) {
    watch.onText(piece, 100 + i * 10);
    seen += piece.length;
    const struggle = watch.check(100 + i * 10);
    if (struggle) return {struggle, seen};
  }
  return {struggle: null, seen};
}

describe('struggle: time to first token', () => {
  it.each([
    {name: 'nothing within the limit', text: null, checkAt: 14_900, kind: null},
    {name: 'a slow first token past the limit', text: null, checkAt: 15_100, kind: 'slow-first-token'},
    {name: 'nothing once text came, however late the check', text: 'Hello', checkAt: 30_000, kind: null},
    {name: 'an empty chunk as no token yet', text: '', checkAt: 15_100, kind: 'slow-first-token'},
  ])('finds $name', ({text, checkAt, kind}) => {
    const watch = createStruggleWatch(limits, 0);
    if (text !== null) watch.onText(text, 1000);
    expect(watch.check(checkAt)?.kind ?? null).toBe(kind);
  });

  it('says how long it waited', () => {
    const watch = createStruggleWatch(limits, 1000);
    expect(watch.check(17_500)).toEqual({kind: 'slow-first-token', reason: 'no first token after 16.5 s (limit 15.0 s)'});
  });
});

describe('struggle: tokens per second (characters / 4) over a window, after the first tokens', () => {
  it.each([
    // 4 characters (one token) a second: 16 tokens at 15 s, a full window after that at 20 s.
    {name: 'nothing before the window after judge_after_tokens is full', chunk: 'abcd', count: 30, everyMs: 1000, checkAt: 19_900, kind: null},
    {name: '1 token/s under a floor of 2', chunk: 'abcd', count: 30, everyMs: 1000, checkAt: 20_000, kind: 'slow'},
    {name: '10 tokens/s over a floor of 2', chunk: 'abcd', count: 200, everyMs: 100, checkAt: 19_900, kind: null},
    {name: 'a stall after a fast start', chunk: 'abcd', count: 30, everyMs: 100, checkAt: 8000, kind: 'slow'},
    {name: 'nothing for a slow reply shorter than judge_after_tokens', chunk: 'abcd', count: 15, everyMs: 2000, checkAt: 40_000, kind: null},
  ])('finds $name', ({chunk, count, everyMs, checkAt, kind}) => {
    const watch = createStruggleWatch(limits, 0);
    feed(watch, chunk, count, everyMs);
    expect(watch.check(checkAt)?.kind ?? null).toBe(kind);
  });

  it('forgives a slow start once the reply is fast', () => {
    const watch = createStruggleWatch(limits, 0);
    const last = feed(watch, 'abcd', 10, 2000);
    feed(watch, 'abcd', 100, 100, last + 100);
    expect(watch.check(last + 10_000)).toBeNull();
  });

  it('never judges speed with a floor of 0', () => {
    const watch = createStruggleWatch({...limits, minTokensPerS: 0}, 0);
    feed(watch, 'abcd', 30, 1000);
    expect(watch.check(60_000)).toBeNull();
  });

  it('says the speed it measured', () => {
    const watch = createStruggleWatch(limits, 0);
    feed(watch, 'abcd', 30, 1000);
    expect(watch.check(20_000)).toEqual({kind: 'slow', reason: '1.0 tokens/s over the last 5.0 s (floor 2)'});
  });
});

describe('struggle: degenerate repetition', () => {
  const looping = TEST_MODELS.looping.message ?? '';

  it('catches the looping test model within its first 300 characters', () => {
    expect(looping.length).toBeGreaterThan(8);
    const {struggle, seen} = streamUntilStruggle(looping.repeat(40));
    expect(struggle).toEqual({kind: 'repetition', reason: `the same ${looping.length} characters repeated 5 times`});
    expect(seen).toBeLessThan(300);
  });

  it('catches a loop that starts after an honest beginning', () => {
    const text = 'Sure. Here is what I found about the question you asked earlier today. ' + 'The answer is 42, as always. '.repeat(20);
    expect(streamUntilStruggle(text).struggle?.kind).toBe('repetition');
  });

  it.each([
    {name: 'varied prose', text: 'The quick brown fox jumps over the lazy dog while the cat sleeps. '.concat(...Array.from({length: 12}, (_, i) => `Sentence number ${i} adds something new about topic ${i * 7}. `))},
    {name: 'a sentence said twice', text: 'Some filler text to start with here. ' + 'This sentence is said exactly twice in a row, no more. '.repeat(2)},
    {name: 'a rule of dashes', text: 'Title\n' + '-'.repeat(500)},
    {name: 'laughter', text: 'ha'.repeat(300)},
    {name: 'a unit longer than 100 characters', text: ('x'.repeat(60) + ' and then a different tail of forty-odd chars. ').repeat(5)},
    {name: 'a loop inside a code block', text: 'Here is the code:\n```js\n' + 'x = x + 1;\n'.repeat(80) + '```\nThat is all.'},
  ])('lets $name through', ({text}) => {
    expect(streamUntilStruggle(text).struggle).toBeNull();
  });

  it('keeps a code block out, and prose after it in, when its fences are split across chunks', () => {
    const watch = createStruggleWatch(limits, 0);
    for (const chunk of ['Code:\n`', '`', '`py\n', ...Array.from({length: 80}, () => 'total += 2;\n')]) watch.onText(chunk, 100);
    expect(watch.check(200)).toBeNull();
    for (const chunk of ['`', '``', '\nDone. ', ...Array.from({length: 20}, () => 'Done again. ')]) watch.onText(chunk, 300);
    expect(watch.check(400)?.kind).toBe('repetition');
  });

  it('catches a loop in prose that follows a code block', () => {
    const text = '```\nconst a = 1;\n```\n' + 'Let me try that again. '.repeat(20);
    expect(streamUntilStruggle(text).struggle?.kind).toBe('repetition');
  });

  it.each([
    {ratio: 1, kind: null},
    {ratio: 0.2, kind: 'repetition'},
    {ratio: 0.5, kind: null},
  ])('follows max_repeat_ratio: 4 repeats of 30 characters at $ratio', ({ratio, kind}) => {
    const text = 'An honest opening sentence goes first, then the loop begins. ' + 'Thirty characters of looping. '.repeat(4);
    expect(streamUntilStruggle(text, {...limits, maxRepeatRatio: ratio}).struggle?.kind ?? null).toBe(kind);
  });
});

describe('findRepetition', () => {
  it.each([
    {text: 'abcdefgh'.repeat(3), found: {unit: 8, repeats: 3}},
    {text: 'abcdefgh'.repeat(2), found: null},
    {text: 'abcdefg'.repeat(10), found: null},
    {text: 'xyz ' + 'I repeat myself. '.repeat(30), found: {unit: 17, repeats: 30}},
  ])('finds $found in a text of $text.length characters', ({text, found}) => {
    expect(findRepetition(text, {maxRepeatRatio: 0, repeatWindowChars: 400})).toEqual(found);
  });
});
