import {describe, expect, it} from 'vitest';
import {CLOSED_PICKER, pickerReducer, type PickerAction, type PickerState} from '../../components/picker-reducer.js';

// The picker's filter editing (pure): the cursor, the keys that move it, and what editing does to
// the selected row. The rows, the filter's matching and the rest of the reducer are in
// picker-items.test.ts; the keys on screen in picker.test.tsx.

/** An open model picker from a filter with "|" marking the cursor, its selection on row `selected`. */
function at(marked: string, selected = 0): PickerState {
  const cursor = marked.indexOf('|');
  if (cursor === -1) throw new Error(`no cursor in ${JSON.stringify(marked)}`);
  return {...CLOSED_PICKER, kind: 'model', query: marked.slice(0, cursor) + marked.slice(cursor + 1), cursor, selected};
}

/** The filter after the actions, written back with "|" at the cursor. */
function run(start: string, ...actions: readonly PickerAction[]): string {
  const {query, cursor} = actions.reduce(pickerReducer, at(start));
  return query.slice(0, cursor) + '|' + query.slice(cursor);
}

const insert = (text: string): PickerAction => ({type: 'insert', text});
const LEFT: PickerAction = {type: 'left'};
const RIGHT: PickerAction = {type: 'right'};

// Graphemes of more than one code unit: a thumb with a skin tone, an e with a combining accent, and
// a family joined with zero-width joiners.
const THUMB = '👍🏽';
const E_ACUTE = 'e\u0301';
const FAMILY = '👩‍👩‍👧';

describe('the picker filter', () => {
  it('inserts typed and pasted text at the cursor, a paste flattened to one line', () => {
    expect(run('sm|al', insert('X'))).toBe('smX|al');
    expect(run('|', insert('s'), insert('l'), LEFT, insert('ma'))).toBe('sma|l');
    expect(run('a|b', insert('x\ty\r\nz'))).toBe('ax y z|b');
    expect(run('a|b', insert('\u001b[2Jq'))).toBe('aq|b');
  });

  it.each([
    ['← by one character', 'abc|', [LEFT], 'ab|c'],
    ['→ by one character', 'a|bc', [RIGHT], 'ab|c'],
    ['← over a skin-toned emoji', `a${THUMB}|b`, [LEFT], `a|${THUMB}b`],
    ['→ over a joined family', `a|${FAMILY}b`, [RIGHT], `a${FAMILY}|b`],
    ['← over a combining accent', `caf${E_ACUTE}|`, [LEFT], `caf|${E_ACUTE}`],
    ['Home to the start', 'ab|c', [{type: 'home'}], '|abc'],
    ['End to the end', 'a|bc', [{type: 'end'}], 'abc|'],
    ['Backspace before the cursor', 'ab|c', [{type: 'backspace'}], 'a|c'],
    ['Delete under the cursor', 'a|bc', [{type: 'delete'}], 'a|c'],
    ['Backspace a whole emoji', `a${THUMB}|b`, [{type: 'backspace'}], 'a|b'],
    ['Delete a whole accented letter', `caf|${E_ACUTE}s`, [{type: 'delete'}], 'caf|s'],
    ['Ctrl+U empties the filter', 'ab|c', [{type: 'clear'}], '|'],
  ] satisfies readonly (readonly [string, string, readonly PickerAction[], string])[])('%s', (_name, start, actions, expected) => {
    expect(run(start, ...actions)).toBe(expected);
  });

  it.each([
    ['← at the start', '|abc', LEFT],
    ['→ at the end', 'abc|', RIGHT],
    ['Backspace at the start', '|abc', {type: 'backspace'}],
    ['Delete at the end', 'abc|', {type: 'delete'}],
    ['Home at the start', '|abc', {type: 'home'}],
    ['End at the end', 'abc|', {type: 'end'}],
    ['an insert of nothing printable', 'a|bc', insert('\u001b')],
  ] satisfies readonly (readonly [string, string, PickerAction])[])('%s changes nothing', (_name, start, action) => {
    const state = at(start, 2);
    expect(pickerReducer(state, action)).toBe(state);
  });

  it('sends the selection back to the first row when the filter changes, not when its cursor moves', () => {
    for (const action of [LEFT, RIGHT, {type: 'home'}, {type: 'end'}] satisfies PickerAction[]) {
      expect(pickerReducer(at('a|b', 2), action).selected).toBe(2);
    }
    for (const action of [insert('x'), {type: 'backspace'}, {type: 'delete'}, {type: 'clear'}] satisfies PickerAction[]) {
      expect(pickerReducer(at('a|b', 2), action).selected).toBe(0);
    }
  });

  it('keeps at most 200 characters, cutting a paste between whole characters', () => {
    const [a, b] = ['a'.repeat(100), 'b'.repeat(99)];
    // Room for one more character: the first thumb goes in whole, skin tone and all.
    expect(run(`${a}|${b}`, insert(THUMB + THUMB))).toBe(`${a}${THUMB}|${b}`);
    expect(run(`${a}|${b}b`, insert('x'))).toBe(`${a}|${b}b`);
  });

  it('starts empty with the cursor at the start whenever a picker opens', () => {
    const reopened = pickerReducer(at('ab|c', 1), {type: 'open', kind: 'conversation'});
    expect(reopened).toMatchObject({kind: 'conversation', query: '', cursor: 0, selected: 0});
    expect(pickerReducer(reopened, {type: 'close'})).toBe(CLOSED_PICKER);
  });
});
