import {describe, expect, it} from 'vitest';
import wrapAnsi from 'wrap-ansi';
import {chatWindow, scrollLimit, tailLines, totalLines, wrapText} from '../../components/MessageLines.js';
import type {ChatEntry} from '../../src/store.js';

// The chat's lines: the window over a long conversation and the streaming tail, each checked
// against the plain answer (every message wrapped, then sliced).

function conversation(count: number): ChatEntry[] {
  return Array.from({length: count}, (_, i) => ({
    id: `m${i}`,
    role: i % 2 ? 'assistant' : 'user',
    model: 'm',
    text: i % 3 ? `message ${i} with a few words to wrap around the pane's edge once or twice` : `short ${i}\n  indented line ${i}`,
    at: i,
  }));
}

describe('the chat window', () => {
  const messages = conversation(300);
  const width = 30;
  const all = messages.flatMap((entry) => chatWindow([entry], width, 1000, 0).lines);

  it.each([0, 1, 7, 50, 400, all.length - 10, all.length + 50])('at offset %i shows the lines a full wrap would', (offset) => {
    const rows = 12;
    const view = chatWindow(messages, width, rows, offset);
    const clamped = Math.min(offset, all.length - rows);
    expect(view.offset).toBe(clamped);
    expect(view.lines).toEqual(all.slice(all.length - clamped - rows, all.length - clamped));
  });

  it('knows how far up it can scroll, capped where asked', () => {
    expect(totalLines(messages, width)).toBe(all.length);
    expect(scrollLimit(messages, width, 12)).toBe(all.length - 11);
    expect(scrollLimit(messages, width, 12, 40)).toBe(40);
    expect(scrollLimit(messages.slice(0, 2), width, 12, 40)).toBe(Math.max(0, totalLines(messages.slice(0, 2), width) - 11));
  });
});

describe('the streaming tail', () => {
  it('as a paragraph grows token by token, its tail is always what wrapping it whole gives', () => {
    const tokens = ['Streaming ', 'a ', 'long ', 'paragraph ', 'without ', 'breaks: ', 'https://example.com/', 'averyveryverylongwordthatisthelongestofall', ' ', 'and ', 'so ', 'on, ', '   spaced ', 'out.'];
    for (const width of [12, 17, 40]) {
      let text = '  ';
      for (let i = 0; i < 200; i++) {
        text += tokens[i % tokens.length];
        expect(tailLines(text, width, 6)).toEqual(wrapText(text, width).slice(-6));
      }
    }
  });

  it('keeps whole paragraphs above the growing one', () => {
    const text = 'first paragraph here\n\nsecond one that grows';
    expect(tailLines(text, 10, 10)).toEqual(wrapText(text, 10));
    expect(tailLines(`${text} more`, 10, 10)).toEqual(wrapText(`${text} more`, 10));
  });
});

describe('wrapping a paragraph', () => {
  // The one-line path (printable ASCII that fits) must give what wrap-ansi gives, spaces included.
  it('gives what wrap-ansi gives, for lines that fit and lines that do not', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['a', 'word', ' ', '  ', 'longerword', '-', 'é', '😀'];
    let oneLine = 0;
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({length: 1 + random(12)}, () => pieces[random(pieces.length)]).join('');
      const width = 4 + random(30);
      const leading = /^ */.exec(text)?.[0].length ?? 0;
      const body = text.slice(leading);
      const indent = ' '.repeat(Math.min(leading, Math.floor(width / 2)));
      const expected = body.trim() === '' ? [''] : wrapAnsi(body, width - indent.length, {hard: true, trim: true}).split('\n').map((line) => indent + line);
      expect(wrapText(text, width), JSON.stringify({text, width})).toEqual(expected);
      if (/^[\x20-\x7e]*$/.test(body) && body.length <= width - indent.length) oneLine++;
    }
    // Both paths were taken.
    expect(oneLine).toBeGreaterThan(200);
    expect(3000 - oneLine).toBeGreaterThan(200);
  });
});
