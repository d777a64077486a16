import {describe, expect, it} from 'vitest';
import {jsonForTerminal, sanitizeForTerminal} from '../../src/util/sanitize.js';

const ESC = '\u001b';
const BEL = '\u0007';
const ST = `${ESC}\\`;

describe('sanitizeForTerminal', () => {
  const hostile: readonly (readonly [string, string, string])[] = [
    ['OSC 52 clipboard write (BEL)', `a${ESC}]52;c;cm0gLXJmIH4=${BEL}b`, 'ab'],
    ['OSC 52 clipboard write (ST)', `a${ESC}]52;c;cm0gLXJmIH4=${ST}b`, 'ab'],
    ['OSC 0 window title', `${ESC}]0;you have been pwned${BEL}hello`, 'hello'],
    ['OSC 8 hyperlink keeps its visible text', `${ESC}]8;;https://evil.example${ST}click${ESC}]8;;${ST}`, 'click'],
    ['OSC without terminator (cut mid-stream)', `ok${ESC}]52;c;AAAA`, 'ok'],
    ['8-bit OSC', `a\u009d0;title\u009cb`, 'ab'],
    ['CSI cursor up + erase line', `line${ESC}[1A${ESC}[2Kfake`, 'linefake'],
    ['CSI clear screen + home', `${ESC}[2J${ESC}[Hx`, 'x'],
    ['CSI with private marker (hide cursor, alt screen)', `${ESC}[?25l${ESC}[?1049hx`, 'x'],
    ['CSI colours (SGR)', `${ESC}[31;1mred${ESC}[0m`, 'red'],
    ['CSI cut off at the end', `x${ESC}[12;3`, 'x'],
    ['8-bit CSI', `a\u009b2Jb`, 'ab'],
    ['DCS (sixel / tmux passthrough)', `a${ESC}Pq#0;2;0;0;0${ST}b`, 'ab'],
    ['APC, PM and SOS strings', `${ESC}_apc${ST}${ESC}^pm${ST}${ESC}Xsos${ST}ok`, 'ok'],
    ['8-bit DCS', `a\u0090payload\u009cb`, 'ab'],
    ['C1 controls (NEL, RI, IND, SPA)', `a\u0085b\u008dc\u0084d\u0096e`, 'abcde'],
    ['8-bit APC without terminator swallows the rest', `ok\u009fhidden`, 'ok'],
    ['charset designation (nF)', `${ESC}(0lqk${ESC}(B`, 'lqk'],
    ['two-byte escapes: save/restore cursor, full reset', `${ESC}7a${ESC}8${ESC}c`, 'a'],
    ['lone ESC', `a${ESC}`, 'a'],
    ['double ESC', `${ESC}${ESC}[31mx`, 'x'],
    ['BEL', `ding${BEL}${BEL}`, 'ding'],
    ['NUL, backspace, vertical tab, form feed, DEL', 'a\u0000b\u0008c\u000bd\u000ce\u007ff', 'abcdef'],
    ['CR overwrite trick', 'rm -rf / # safe\rls', 'rm -rf / # safels'],
    ['CRLF becomes LF', 'one\r\ntwo\r\n', 'one\ntwo\n'],
    ['bidi override (Trojan Source)', 'access = "user\u202e \u2066// admin\u2069 \u2066"', 'access = "user // admin "'],
    ['bidi embeddings and isolates', '\u202aa\u202bb\u202cc\u202dd\u2067e\u2068f', 'abcdef'],
    ['tab expands to the next 4-column stop', 'a\tb\n\tc\nabcd\te', 'a   b\n    c\nabcd    e'],
    ['tab stops count wide characters as two columns', '中\tx', '中  x'],
    ['removing one sequence cannot complete another', `${ESC}${ESC}]0;t${BEL}[31mx`, '[31mx'],
  ];

  it.each(hostile)('%s', (_name, input, expected) => {
    const output = sanitizeForTerminal(input);
    expect(output).toBe(expected);
    // Nothing that a terminal interprets is left: no ESC, no C0 but \n, no DEL or C1, no bidi control.
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it.each([
    ['plain ASCII', 'Hello, world! (1 + 2) * 3 = 9; "quotes" & <tags>'],
    ['CJK', '你好，世界。日本語のテキスト。한국어'],
    ['emoji with modifiers and ZWJ sequences', '👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️'],
    ['accents, composed and combining', 'café naïve Ångström cafe\u0301'],
    ['right-to-left text itself', 'שלום עולם مرحبا'],
    ['newlines and indentation', 'def f():\n    return 1\n'],
    ['box drawing and braille', '┌─┐ ⣀⣤⣶⣿'],
  ])('%s is unchanged', (_name, text) => {
    expect(sanitizeForTerminal(text)).toBe(text);
  });
});

// What a serializer leaves raw but a terminal may act on (JSON.stringify escapes C0 itself).
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('jsonForTerminal', () => {
  it.each([
    ['8-bit CSI', 'a\u009b2Jb', String.raw`"a\u009b2Jb"`],
    ['8-bit OSC and ST', '\u009d0;t\u009c', String.raw`"\u009d0;t\u009c"`],
    ['NEL and DEL', 'a\u0085b\u007f', String.raw`"a\u0085b\u007f"`],
    ['bidi override and isolates', 'user\u202e\u2066x\u2069', String.raw`"user\u202e\u2066x\u2069"`],
    ['line and paragraph separators', 'a\u2028b\u2029', String.raw`"a\u2028b\u2029"`],
    ['7-bit ESC (escaped by JSON.stringify already)', '\u001b[2J', String.raw`"\u001b[2J"`],
    ['a backslash before a control stays a backslash', '\\\u009b', String.raw`"\\\u009b"`],
    ['text a terminal shows as it is', 'café 你好 👍🏽 שלום', '"café 你好 👍🏽 שלום"'],
  ])('%s', (_name, value, expected) => {
    const json = jsonForTerminal(value);
    expect(json).toBe(expected);
    expect(json).not.toMatch(RAW_IN_JSON);
    expect(JSON.parse(json)).toBe(value);
  });

  it('escapes keys and nested values, and keeps the document', () => {
    const value = {['k\u009b']: [{name: 'x\u202ey', n: 1}], plain: 'ok'};
    const json = jsonForTerminal(value, 2);
    expect(json).not.toMatch(RAW_IN_JSON);
    expect(JSON.parse(json)).toEqual(value);
  });
});
