import {describe, expect, it} from 'vitest';
import {findHits, highlightSegments, hitCount, offsetShowing, stepHit} from '../../components/chat/chat-search.js';
import {codeBlocks, copiedNotice, osc52} from '../../components/chat/clipboard.js';
import {foldedThinkingLine, splitThinking} from '../../components/chat/think-blocks.js';
import {createKeyParser} from '../../components/input/parse-keys.js';
import type {KeyEvent} from '../../components/input/key-event.js';

// The chat features' pure parts, as tables: thinking split from the answer, search hits and
// highlights, the clipboard's bytes and code blocks, and the mouse wheel in the key parser.

describe('splitThinking', () => {
  const cases: readonly [string, string, ReturnType<typeof splitThinking>][] = [
    ['no thinking', 'Just an answer.', [{kind: 'answer', text: 'Just an answer.'}]],
    [
      'think at the start only',
      '<think>\nweigh it\nsum up\n</think>\n\nThe answer.',
      [
        {kind: 'thinking', text: 'weigh it\nsum up', closed: true},
        {kind: 'answer', text: 'The answer.'},
      ],
    ],
    ['unterminated while streaming', '<think>first thought\nsecond', [{kind: 'thinking', text: 'first thought\nsecond', closed: false}]],
    ['just opened', '<think>', [{kind: 'thinking', text: '', closed: false}]],
    [
      'several blocks',
      '<think>a</think>one<think>b\nc</think>two',
      [
        {kind: 'thinking', text: 'a', closed: true},
        {kind: 'answer', text: 'one'},
        {kind: 'thinking', text: 'b\nc', closed: true},
        {kind: 'answer', text: 'two'},
      ],
    ],
    [
      'the opening tag was in the prompt',
      'reasoning here\n</think>\nAnswer.',
      [
        {kind: 'thinking', text: 'reasoning here', closed: true},
        {kind: 'answer', text: 'Answer.'},
      ],
    ],
    [
      'answer, then a block still open',
      'Let me check.<think>hmm',
      [
        {kind: 'answer', text: 'Let me check.'},
        {kind: 'thinking', text: 'hmm', closed: false},
      ],
    ],
  ];
  it.each(cases)('%s', (_name, text, parts) => {
    expect(splitThinking(text)).toEqual(parts);
  });

  it('folds a block to one line that counts its lines and names the key', () => {
    expect(foldedThinkingLine({text: 'a\nb\nc', closed: true}, 'Ctrl+K')).toBe('thought (3 lines, Ctrl+K to show)');
    expect(foldedThinkingLine({text: 'a', closed: false}, 'Ctrl+K')).toBe('thinking… (1 line, Ctrl+K to show)');
  });
});

describe('search', () => {
  const lines = ['The GGUF file', 'no hit here', 'gguf and GGUF again'];
  it.each([
    ['gguf', [{line: 0, start: 4, end: 8}, {line: 2, start: 0, end: 4}, {line: 2, start: 9, end: 13}]],
    ['', []],
    ['missing', []],
    // Plain text, not a pattern: "(" finds a parenthesis.
    ['(', []],
  ] as const)('hits of %j', (query, hits) => {
    expect(findHits(lines, query)).toEqual(hits);
  });

  it('finds a parenthesis as text', () => {
    expect(findHits(['f(x)'], '(')).toEqual([{line: 0, start: 1, end: 2}]);
  });

  it.each([
    ['abc abc', 'abc', 4, [{text: 'abc', hit: 'other'}, {text: ' ', hit: 'none'}, {text: 'abc', hit: 'current'}]],
    ['xabcx', 'ABC', null, [{text: 'x', hit: 'none'}, {text: 'abc', hit: 'other'}, {text: 'x', hit: 'none'}]],
    ['nothing', 'abc', null, [{text: 'nothing', hit: 'none'}]],
  ] as const)('highlights %j for %j', (text, query, current, segments) => {
    expect(highlightSegments(text, query, current)).toEqual(segments);
  });

  it.each([
    [0, 3, 1, 1],
    [2, 3, 1, 0],
    [0, 3, -1, 2],
    [0, 0, 1, 0],
  ] as const)('from hit %i of %i, step %i lands on %i', (current, count, direction, expected) => {
    expect(stepHit(current, count, direction)).toBe(expected);
  });

  it.each([
    // line, total, rows, maxOffset -> offset that puts the line mid-pane
    [99, 100, 10, 90, 0],
    [50, 100, 10, 90, 45],
    [0, 100, 10, 90, 90],
  ] as const)('line %i of %i in %i rows (max %i) -> offset %i', (line, total, rows, max, offset) => {
    expect(offsetShowing(line, total, rows, max)).toBe(offset);
  });

  it('counts as "3/12", "no match", or nothing before a query', () => {
    expect(hitCount(2, 12, 'x')).toBe('3/12');
    expect(hitCount(0, 0, 'x')).toBe('no match');
    expect(hitCount(0, 0, '')).toBe('');
  });
});

describe('clipboard', () => {
  it('writes OSC 52 with the base64 of the UTF-8 text', () => {
    expect(osc52('héllo')).toBe('\u001b]52;c;aMOpbGxv\u0007');
  });

  it('finds fenced code blocks, an unclosed last one too', () => {
    const reply = 'Try:\n```ts\nconst a = 1;\n```\nor\n~~~\nls -l\n~~~\nand\n```sh\necho cut';
    expect(codeBlocks(reply)).toEqual(['const a = 1;', 'ls -l', 'echo cut']);
    expect(codeBlocks('no code')).toEqual([]);
  });

  it('says how much was copied', () => {
    expect(copiedNotice('x'.repeat(1200), 'the last reply')).toBe('copied 1.2 kB (the last reply)');
  });
});

describe('the mouse wheel in the key parser', () => {
  const parse = (input: string): string[] =>
    createKeyParser()
      .feed(input)
      .map((e: KeyEvent) => (e.kind === 'key' ? `${e.ctrl ? 'C-' : ''}${e.shift ? 'S-' : ''}${e.name}` : `${e.kind}:${e.text}`));
  it.each([
    ['\u001b[<64;10;5M', ['wheelUp']],
    ['\u001b[<65;10;5M', ['wheelDown']],
    ['\u001b[<80;1;1M', ['C-wheelUp']],
    ['\u001b[<68;1;1M', ['S-wheelUp']],
    // Clicks, releases and the horizontal wheel are not used.
    ['\u001b[<0;10;5M', ['unknown']],
    ['\u001b[<0;10;5m', ['unknown']],
    ['\u001b[<66;10;5M', ['unknown']],
    // Several notches in one read are several keys, and typing around them stays text.
    ['a\u001b[<65;3;4M\u001b[<65;3;4Mb', ['text:a', 'wheelDown', 'wheelDown', 'text:b']],
  ] as const)('%j', (input, keys) => {
    expect(parse(input)).toEqual(keys);
  });
});
