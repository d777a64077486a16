import {describe, expect, it} from 'vitest';
import {conversationItems, filterItems, modelItems, pickerRows} from '../../components/picker-items.js';
import {CLOSED_PICKER, pickerReducer} from '../../components/picker-reducer.js';
import {createMaiStore, type ModelEntry} from '../../src/store.js';
import {modelEntry} from '../support/model-entries.js';

// The picker's rows and filter (pure), and its reducer.

const ESC = '\u001b';

function modelsWith(entries: readonly ModelEntry[], switchedTo: readonly string[] = []) {
  const store = createMaiStore(() => 0);
  store.getState().setModelEntries(entries);
  switchedTo.forEach((to, at) => store.getState().setCurrentModel(to, {from: null, to, reason: 'test', at}));
  return store.getState().models;
}

describe('the model rows', () => {
  const entries = [
    modelEntry('llama-3.2-3b-instruct', {tier: 'small', quant: 'Q4_K_M', sizeBytes: 2e9, estimateBytes: 2.5e9}),
    modelEntry('qwen2.5-7b-instruct', {tier: 'medium', quant: 'Q8_0', sources: [{backendId: 'lmstudio', kind: 'lmstudio', key: 'qwen2.5-7b-instruct'}]}),
    modelEntry('mixtral-8x22b', {tier: 'large', fits: false, host: 'gpu-box', sources: [{backendId: 'openai:gpu-box', kind: 'openai', key: 'mixtral', host: 'gpu-box'}]}),
  ];

  it('say tier, size, estimate, whether it fits, its state and where it runs; recents first', () => {
    const rows = modelItems(modelsWith(entries, ['mixtral-8x22b', 'qwen2.5-7b-instruct']));
    expect(rows.map((row) => [row.title, row.details.filter((detail) => detail !== '').join(' · '), row.current, row.dim])).toEqual([
      ['qwen2.5-7b-instruct', 'medium · 4.1G · needs 4.7G · fits · current · LM Studio', true, false],
      ['mixtral-8x22b', 'large · 4.1G · needs 4.7G · too big now · gpu-box', false, true],
      ['llama-3.2-3b-instruct', 'small · 1.9G · needs 2.3G · fits · embedded', false, false],
    ]);
  });

  it('match fuzzily over name, source, tier and quant', () => {
    const rows = modelItems(modelsWith(entries));
    const titles = (query: string) => filterItems(rows, query).map((row) => row.title);
    expect(titles('qwn7')).toEqual(['qwen2.5-7b-instruct']);
    expect(titles('studio')).toEqual(['qwen2.5-7b-instruct']);
    expect(titles('gpubox')).toEqual(['mixtral-8x22b']);
    expect(titles('q4km')).toEqual(['llama-3.2-3b-instruct']);
    expect(titles('SMALL')).toEqual(['llama-3.2-3b-instruct']);
    expect(titles('')).toEqual(['llama-3.2-3b-instruct', 'qwen2.5-7b-instruct', 'mixtral-8x22b']);
    expect(titles('zzz')).toEqual([]);
  });

  it('never carry an escape sequence or a line break from a name to the screen', () => {
    const hostile = modelEntry(`evil${ESC}]0;pwned\u0007\nmodel${ESC}[2J`, {host: `box${ESC}[31m`, sources: [{backendId: 'x', kind: 'openai', key: 'k', host: `box${ESC}[31m\n2`}]});
    const [row] = modelItems(modelsWith([hostile]));
    const text = [row?.title, ...(row?.details ?? []), row?.search].join(' ');
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(row?.title).toBe('evil model');
    expect(row?.details).toContain('box 2');
  });
});

describe('the conversation rows', () => {
  it('show the first line, the date and the message count, and match on words', () => {
    const rows = conversationItems([
      {id: '20261124-103105-a1b2', updatedAt: new Date(2026, 10, 24, 10, 52).getTime(), messages: 62, firstLine: 'what is a GGUF file?'},
      {id: '20261123-090000-ffff', updatedAt: new Date(2026, 10, 23, 9, 1).getTime(), messages: 1, firstLine: `hi${ESC}[2J`},
    ]);
    expect(rows.map((row) => [row.title, ...row.details])).toEqual([
      ['what is a GGUF file?', '2026-11-24 10:52', '62 messages'],
      ['hi', '2026-11-23 09:01', '1 message'],
    ]);
    expect(filterItems(rows, 'gguf').map((row) => row.id)).toEqual(['20261124-103105-a1b2']);
    expect(pickerRows('conversation', '', modelsWith([]), null)).toEqual([]);
  });
});

describe('the picker reducer', () => {
  it('opens, filters, moves within the rows and closes', () => {
    let state = pickerReducer(CLOSED_PICKER, {type: 'open', kind: 'model'});
    expect(state).toEqual({kind: 'model', query: '', cursor: 0, selected: 0, conversations: null});
    state = pickerReducer(state, {type: 'move', delta: 1, count: 3});
    state = pickerReducer(state, {type: 'move', delta: 5, count: 3});
    expect(state.selected).toBe(2);
    state = pickerReducer(state, {type: 'insert', text: 'q\twen\n'});
    expect(state).toMatchObject({query: 'q wen ', selected: 0});
    state = pickerReducer(state, {type: 'insert', text: `${ESC}[2J7`});
    expect(state.query).toBe('q wen 7');
    state = pickerReducer(state, {type: 'backspace'});
    expect(state.query).toBe('q wen ');
    state = pickerReducer(state, {type: 'move', delta: -1, count: 0});
    expect(state.selected).toBe(0);
    expect(pickerReducer(state, {type: 'close'})).toBe(CLOSED_PICKER);
  });

  it('keeps a conversation list only while the conversation picker is open', () => {
    const list = [{id: 'a', updatedAt: 0, messages: 2, firstLine: 'x'}];
    expect(pickerReducer(CLOSED_PICKER, {type: 'conversations', list})).toBe(CLOSED_PICKER);
    const open = pickerReducer(CLOSED_PICKER, {type: 'open', kind: 'conversation'});
    expect(pickerReducer(open, {type: 'conversations', list}).conversations).toBe(list);
  });

  it('marks the conversation on screen, and starts the selection on the one after it', () => {
    const list = [
      {id: 'now', updatedAt: 2, messages: 4, firstLine: 'the chat on screen', onScreen: true},
      {id: 'before', updatedAt: 1, messages: 2, firstLine: 'an earlier chat'},
    ];
    const rows = conversationItems(list);
    expect(rows.map((row) => [row.current, row.details.at(-1)])).toEqual([
      [true, 'on screen'],
      [false, '2 messages'],
    ]);
    const open = pickerReducer(CLOSED_PICKER, {type: 'open', kind: 'conversation'});
    expect(pickerReducer(open, {type: 'conversations', list}).selected).toBe(1);
    // A filter typed before the list came leaves the selection to the filtered rows.
    const typed = pickerReducer(open, {type: 'insert', text: 'chat'});
    expect(pickerReducer(typed, {type: 'conversations', list}).selected).toBe(0);
    // Nothing else saved: the one on screen is the only row, selected.
    expect(pickerReducer(open, {type: 'conversations', list: list.slice(0, 1)}).selected).toBe(0);
  });
});
