import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {ReplyBuffer} from '../../src/util/reply-buffer.js';

// What the chat pane is handed while a reply streams: the first words at once, then at most one
// update per interval, drawn when a chunk arrives; what a paused stream leaves is not held back.

describe('ReplyBuffer', () => {
  beforeEach(() => vi.useFakeTimers({now: 1_000_000}));
  afterEach(() => vi.useRealTimers());

  function streamed() {
    const shown: string[] = [];
    return {shown, buffer: new ReplyBuffer((text) => shown.push(text), 50, 25)};
  }

  it('shows the first chunk at once', () => {
    const {shown, buffer} = streamed();
    buffer.append('Hello');
    expect(shown).toEqual(['Hello']);
  });

  it('holds chunks that arrive within the interval and shows them all with the first chunk after it, with no timer of its own', () => {
    const {shown, buffer} = streamed();
    buffer.append('a');
    for (const chunk of ['b', 'c']) {
      vi.advanceTimersByTime(20);
      buffer.append(chunk);
    }
    expect(shown).toEqual(['a']);
    vi.advanceTimersByTime(20);
    buffer.append('d');
    expect(shown).toEqual(['a', 'abcd']);
    // The update came with the chunk: the timer that would have drawn the held text is gone.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows what a stream that pauses has left pending, shortly after the interval', () => {
    const {shown, buffer} = streamed();
    buffer.append('a');
    vi.advanceTimersByTime(10);
    buffer.append('b');
    vi.advanceTimersByTime(64);
    expect(shown).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['a', 'ab']);
  });

  it('flush shows everything now, and dispose drops the timer', () => {
    const {shown, buffer} = streamed();
    buffer.append('a');
    buffer.append('b');
    buffer.flush();
    expect(shown).toEqual(['a', 'ab']);
    buffer.append('c');
    buffer.dispose();
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual(['a', 'ab']);
    expect(buffer.value).toBe('abc');
  });
});
