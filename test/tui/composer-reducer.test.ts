import {describe, expect, it} from 'vitest';
import {composerReducer, EMPTY_COMPOSER, type Action, type ComposerState} from '../../components/composer-reducer.js';
import {expandPastes, labelPastes, PASTE_COLLAPSE_CHARS} from '../../components/pasted-blocks.js';

/** A state from text with "|" marking the cursor: at("ab|c") is {text: "abc", cursor: 2}. */
function at(marked: string): ComposerState {
  const cursor = marked.indexOf('|');
  if (cursor === -1) throw new Error(`no cursor in ${JSON.stringify(marked)}`);
  return {text: marked.slice(0, cursor) + marked.slice(cursor + 1), cursor};
}

/** The state after the actions, written back with "|" at the cursor. */
function run(start: string, ...actions: readonly Action[]): string {
  const {text, cursor} = actions.reduce(composerReducer, at(start));
  return text.slice(0, cursor) + '|' + text.slice(cursor);
}

const insert = (text: string): Action => ({type: 'insert', text});

describe('composerReducer', () => {
  describe('insert', () => {
    it('inserts at the cursor and moves past the text', () => {
      expect(run('|', insert('h'), insert('i'))).toBe('hi|');
      expect(run('ac|', {type: 'left'}, insert('b'))).toBe('ab|c');
    });

    it('keeps the newlines of a paste, whatever the line ending', () => {
      expect(run('|', insert('one\rtwo\r\nthree\n'))).toBe('one\ntwo\nthree\n|');
    });

    it('drops escape sequences and control characters from a paste', () => {
      expect(run('|', insert('\u001b[31mred\u001b[0m\u0007'))).toBe('red|');
      expect(run('x|', insert('\u001b'))).toBe('x|');
    });

    it('expands tabs', () => {
      expect(run('|', insert('a\tb'))).toBe('a   b|');
    });
  });

  it('newline splits the line at the cursor', () => {
    expect(run('ab|cd', {type: 'newline'})).toBe('ab\n|cd');
  });

  describe('backspace and delete', () => {
    it('erase one character before / at the cursor', () => {
      expect(run('abc|', {type: 'backspace'})).toBe('ab|');
      expect(run('a|bc', {type: 'delete'})).toBe('a|c');
    });

    it('do nothing at the ends', () => {
      expect(composerReducer(at('|abc'), {type: 'backspace'})).toEqual(at('|abc'));
      expect(composerReducer(at('abc|'), {type: 'delete'})).toEqual(at('abc|'));
    });

    it('join lines across a newline', () => {
      expect(run('ab\n|cd', {type: 'backspace'})).toBe('ab|cd');
      expect(run('ab|\ncd', {type: 'delete'})).toBe('ab|cd');
    });

    it('remove a whole grapheme: an emoji with modifiers, a letter with a combining accent', () => {
      expect(run('hi👍🏽|', {type: 'backspace'})).toBe('hi|');
      expect(run('|👨‍👩‍👧x', {type: 'delete'})).toBe('|x');
      expect(run('cafe\u0301|', {type: 'backspace'})).toBe('caf|');
    });
  });

  describe('cursor movement', () => {
    it('left and right move by grapheme and stop at the ends', () => {
      expect(run('a👍🏽|b', {type: 'left'})).toBe('a|👍🏽b');
      expect(run('a|👍🏽b', {type: 'right'})).toBe('a👍🏽|b');
      expect(run('|ab', {type: 'left'})).toBe('|ab');
      expect(run('ab|', {type: 'right'})).toBe('ab|');
    });

    it('left and right cross line breaks', () => {
      expect(run('ab\n|cd', {type: 'left'})).toBe('ab|\ncd');
      expect(run('ab|\ncd', {type: 'right'})).toBe('ab\n|cd');
    });

    it('home and end go to the ends of the current line', () => {
      expect(run('one\ntw|o\nthree', {type: 'home'})).toBe('one\n|two\nthree');
      expect(run('one\nt|wo\nthree', {type: 'end'})).toBe('one\ntwo|\nthree');
    });

    it('up and down keep the column, clamped to the shorter line', () => {
      expect(run('abcdef\nab|c', {type: 'up'})).toBe('ab|cdef\nabc');
      expect(run('abcdef\nab|c', {type: 'up'}, {type: 'up'})).toBe('|abcdef\nabc');
      expect(run('abcde|f\nabc', {type: 'down'})).toBe('abcdef\nabc|');
      expect(run('ab|c\nxyz', {type: 'down'}, {type: 'down'})).toBe('abc\nxyz|');
    });

    it('up on the first line goes to the start, down on the last line to the end', () => {
      expect(run('ab|c', {type: 'up'})).toBe('|abc');
      expect(run('a|bc', {type: 'down'})).toBe('abc|');
    });

    it('up and down count graphemes, not code units', () => {
      expect(run('abcd\n👍🏽👍🏽|', {type: 'up'})).toBe('ab|cd\n👍🏽👍🏽');
    });
  });

  it('clear empties the composer', () => {
    expect(composerReducer(at('some\ntext|'), {type: 'clear'})).toEqual(EMPTY_COMPOSER);
  });
});

describe('large pastes', () => {
  const big = Array.from({length: 60}, (_, i) => `line ${i}`).join('\n');

  it('a paste under the limits is text', () => {
    const state = composerReducer(EMPTY_COMPOSER, {type: 'paste', text: 'a\r\nb'});
    expect(state.text).toBe('a\nb');
    expect(expandPastes(state.text, state.pastes ?? [])).toBe('a\nb');
  });

  it.each([
    ['more lines than the limit', big],
    ['more characters than the limit', 'x'.repeat(PASTE_COLLAPSE_CHARS + 1)],
  ])('a paste with %s is one collapsed block the cursor steps over', (_name, pasted) => {
    let state = composerReducer(at('ab|'), {type: 'paste', text: pasted});
    state = [insert('!'), {type: 'left'} as const, {type: 'left'} as const, insert('<')].reduce(composerReducer, state);
    expect(labelPastes(state.text, state.pastes ?? [])).toMatch(/^ab<\[pasted [\d.]+ k?B, [\d,]+ lines?\]!$/);
    expect(expandPastes(state.text, state.pastes ?? [])).toBe(`ab<${pasted}!`);
  });

  it('labels a block by its size and lines', () => {
    const state = composerReducer(EMPTY_COMPOSER, {type: 'paste', text: `${'x'.repeat(63)}\n`.repeat(16_000)});
    expect(labelPastes(state.text, state.pastes ?? [])).toBe('[pasted 1.0 MB, 16,000 lines]');
  });

  it('Backspace deletes the whole block and frees it', () => {
    const state = [{type: 'paste', text: big} as const, {type: 'backspace'} as const].reduce(composerReducer, EMPTY_COMPOSER);
    expect(state.text).toBe('');
    expect(state.pastes).toEqual([null]);
  });

  it('toggles the block before the cursor, else the first after it', () => {
    const first = [insert('a'), {type: 'paste', text: big} as const, insert('b'), {type: 'paste', text: big} as const].reduce(
      composerReducer,
      EMPTY_COMPOSER,
    );
    const expanded = (s: ComposerState) => (s.pastes ?? []).map((p) => p?.expanded);
    expect(expanded(composerReducer(first, {type: 'togglePaste'}))).toEqual([false, true]);
    const atStart = composerReducer(first, {type: 'home'});
    expect(expanded(composerReducer(atStart, {type: 'togglePaste'}))).toEqual([true, false]);
    const twice = [{type: 'togglePaste'} as const, {type: 'togglePaste'} as const].reduce(composerReducer, first);
    expect(expanded(twice)).toEqual([false, false]);
  });

  it('placeholder characters typed or pasted are dropped', () => {
    expect(composerReducer(EMPTY_COMPOSER, insert('a\u{100000}b')).text).toBe('ab');
  });
});
