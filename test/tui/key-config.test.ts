import {describe, expect, it} from 'vitest';
import {bindingIdOf, configKeyId, keyLabel, parseKeyName, unsendable} from '../../src/config/key-names.js';
import {keyPress} from '../../components/input/key-event.js';
import {createKeyParser} from '../../components/input/parse-keys.js';
import {eventFor, NO_KEY, resolveKeyTable} from '../../components/key-config.js';
import {KEY_BINDINGS, helpSections, type KeyBindingId} from '../../components/keys.js';
import {KEYS} from '../support/ink-keys.js';

// Key names in the config, what they resolve to in the key table, and the help listing every key.

describe('key names', () => {
  it.each([
    ['ctrl+o', {name: 'o', ctrl: true, alt: false, shift: false}, 'Ctrl+O'],
    ['Ctrl+O', {name: 'o', ctrl: true, alt: false, shift: false}, 'Ctrl+O'],
    ['F2', {name: 'f2', ctrl: false, alt: false, shift: false}, 'F2'],
    ['alt+enter', {name: 'enter', ctrl: false, alt: true, shift: false}, 'Alt+Enter'],
    ['meta+return', {name: 'enter', ctrl: false, alt: true, shift: false}, 'Alt+Enter'],
    ['pgup', {name: 'pageUp', ctrl: false, alt: false, shift: false}, 'PgUp'],
    ['?', {name: '?', ctrl: false, alt: false, shift: false}, '?'],
    ['ctrl++', {name: '+', ctrl: true, alt: false, shift: false}, 'Ctrl++'],
    ['shift+tab', {name: 'tab', ctrl: false, alt: false, shift: true}, 'Shift+Tab'],
  ])('%s is a key', (text, spec, label) => {
    expect(parseKeyName(text)).toEqual(spec);
    expect(keyLabel(spec)).toBe(label);
  });

  it.each(['', 'ctrl+', 'ctrl+oo', 'hyper+o', 'ctrl+ctrl+o', 'f25', 'control-o', 'ctrl+\u0007'])('%j is not', (text) => {
    expect(parseKeyName(text)).toBeNull();
  });

  it.each([
    ['ctrl+i', 'terminals send it as Tab'],
    ['ctrl+m', 'terminals send it as Enter'],
    ['ctrl+1', 'terminals send Ctrl only with a letter or one of \\ ] ^ _'],
    ['ctrl+shift+o', 'terminals send Ctrl+Shift+letter as Ctrl+letter'],
    ['shift+a', 'Shift with a character is the other character (write it instead)'],
    ['f13', 'only F1 to F12 are read'],
    ['ctrl+o', null],
    ['alt+x', null],
    ['f12', null],
  ])('a terminal sending %s: %s', (text, why) => {
    const spec = parseKeyName(text);
    if (spec === null) throw new Error(`${text} is a key name`);
    expect(unsendable(spec)).toBe(why);
  });

  it('names bindings in snake_case in the config and camelCase in the table', () => {
    expect(configKeyId('modelPicker')).toBe('model_picker');
    expect(bindingIdOf('model_picker')).toBe('modelPicker');
    for (const id of Object.keys(KEY_BINDINGS)) expect(bindingIdOf(configKeyId(id))).toBe(id);
  });

  it('makes of each sendable key the event the parser makes of what a terminal sends for it', () => {
    const parsed = (bytes: string) => {
      const parser = createKeyParser();
      return [...parser.feed(bytes), ...parser.flush()];
    };
    const cases: readonly (readonly [string, string])[] = [
      ['ctrl+o', '\u000f'],
      ['f2', KEYS.f2],
      ['alt+enter', KEYS.altEnter],
      ['?', '?'],
      ['pgdn', KEYS.pageDown],
    ];
    for (const [name, bytes] of cases) {
      const spec = parseKeyName(name);
      if (spec === null) throw new Error(`${name} is a key name`);
      const [event] = parsed(bytes);
      const expected = eventFor(spec);
      expect(event?.kind).toBe(expected.kind);
      if (event?.kind === 'key' && expected.kind === 'key') expect([event.name, event.ctrl, event.alt]).toEqual([expected.name, expected.ctrl, expected.alt]);
      if (event?.kind === 'text' && expected.kind === 'text') expect(event.text).toBe(expected.text);
    }
  });
});

describe('keys from the config in the key table', () => {
  const ctrlO = keyPress('o', '\u000f', {ctrl: true});
  const f3 = keyPress('f3', '\u001bOR');
  const ctrlN = keyPress('n', '\u000e', {ctrl: true});

  it('without a keys section is the default table, with no problems', () => {
    const {table, problems} = resolveKeyTable({});
    expect(problems).toEqual([]);
    expect(table.modelPicker.match(ctrlO)).toBe(true);
  });

  it('gives a remapped binding its new key and takes the old one away', () => {
    const {table, problems} = resolveKeyTable({modelPicker: ['f3', 'alt+o']});
    expect(problems).toEqual([]);
    expect(table.modelPicker.match(f3)).toBe(true);
    expect(table.modelPicker.match(keyPress('o', '\u001bo', {alt: true}))).toBe(true);
    expect(table.modelPicker.match(ctrlO)).toBe(false);
    // Alt+O would be Alt+Shift+o: the letter is named as typed.
    expect(table.modelPicker.keys).toBe('F3, Alt+o');
  });

  it('leaves a key already bound with the binding that had it, one line per problem', () => {
    const {table, problems} = resolveKeyTable({modelPicker: ['ctrl+n', 'f3'], redraw: ['ctrl+i'], fooBar: ['f3']});
    expect(problems).toEqual([
      'keys.foo_bar: no such key binding (they are named as in the help, in snake_case: send, newline, stop, next_model…)',
      // In the table's order: redraw comes before model_picker.
      'keys.redraw: Ctrl+I cannot be used: terminals send it as Tab',
      'keys.redraw: no usable key given; redraw keeps Ctrl+L',
      "keys.model_picker: Ctrl+N is already next_model's key; next_model keeps it",
    ]);
    expect(table.nextModel.match(ctrlN)).toBe(true);
    expect(table.modelPicker.match(ctrlN)).toBe(false);
    expect(table.modelPicker.match(f3)).toBe(true);
    expect(table.redraw.keys).toBe('Ctrl+L');
  });

  it('gives a key two bindings ask for to the first of them in the table', () => {
    // nextModel comes before modelPicker in the table; both leave their defaults for F5.
    const {table, problems} = resolveKeyTable({modelPicker: ['f5'], nextModel: ['f5']});
    expect(problems).toEqual(["keys.model_picker: F5 is already next_model's key; next_model keeps it", 'keys.model_picker: no usable key given; model_picker keeps Ctrl+O']);
    expect(table.nextModel.match(keyPress('f5', '\u001b[15~'))).toBe(true);
    expect(table.modelPicker.match(ctrlO)).toBe(true);
  });

  it('gives a binding left with no usable key only the defaults no binding before it took: a key does one thing', () => {
    // help comes before redraw in the table: it takes Ctrl+L while redraw is still to come.
    const ctrlL = keyPress('l', '\u000c', {ctrl: true});
    const {table, problems} = resolveKeyTable({help: ['ctrl+l'], redraw: ['ctrl+i']});
    expect(problems).toEqual([
      'keys.redraw: Ctrl+I cannot be used: terminals send it as Tab',
      "keys.redraw: no usable key given; its Ctrl+L is help's key now; redraw has no key",
    ]);
    expect(table.help.match(ctrlL)).toBe(true);
    expect(table.redraw.match(ctrlL)).toBe(false);
    expect(table.redraw.keys).toBe(NO_KEY);
  });

  it('keeps the defaults of a binding left with no usable key that no one took', () => {
    // Backspace sends Ctrl+H in some terminals: erase has both; line_start takes Ctrl+H.
    const ctrlH = keyPress('h', '\u0008', {ctrl: true});
    const {table, problems} = resolveKeyTable({lineStart: ['ctrl+h'], erase: ['ctrl+m']});
    expect(problems).toEqual([
      'keys.erase: Ctrl+M cannot be used: terminals send it as Enter',
      "keys.erase: no usable key given; its Ctrl+H is line_start's key now; erase keeps Backspace",
    ]);
    expect(table.lineStart.match(ctrlH)).toBe(true);
    expect(table.erase.match(ctrlH)).toBe(false);
    expect(table.erase.match(keyPress('backspace', '\u007f'))).toBe(true);
    expect(table.erase.keys).toBe('Backspace');
  });

  it('leaves a contested default with the binding first in the table when it is the one left without a key', () => {
    // next_model comes before model_picker: its fallback to Ctrl+N stands, model_picker is refused it.
    const {table, problems} = resolveKeyTable({nextModel: ['ctrl+i'], modelPicker: ['ctrl+n']});
    expect(problems).toEqual([
      'keys.next_model: Ctrl+I cannot be used: terminals send it as Tab',
      'keys.next_model: no usable key given; next_model keeps Ctrl+N',
      "keys.model_picker: Ctrl+N is already next_model's key; next_model keeps it",
      'keys.model_picker: no usable key given; model_picker keeps Ctrl+O',
    ]);
    expect(table.nextModel.match(ctrlN)).toBe(true);
    expect(table.modelPicker.match(ctrlN)).toBe(false);
  });

  it('lets a binding take a key another one gives up', () => {
    const {table, problems} = resolveKeyTable({nextModel: ['f6'], modelPicker: ['ctrl+n']});
    expect(problems).toEqual([]);
    expect(table.modelPicker.match(ctrlN)).toBe(true);
    expect(table.nextModel.match(ctrlN)).toBe(false);
  });
});

describe('the help', () => {
  it('lists every binding of the key table, those no section names included', () => {
    const listed = helpSections().flatMap((section) => section.ids);
    expect([...listed].sort()).toEqual((Object.keys(KEY_BINDINGS) as KeyBindingId[]).sort());
    expect(listed).toContain('modelPicker');
    expect(listed).toContain('conversationPicker');
  });
});
