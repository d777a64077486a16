import {describe, expect, it} from 'vitest';
import type {KeyEvent} from '../../components/input/key-event.js';
import {createKeyParser, PASTE_END, PASTE_START} from '../../components/input/parse-keys.js';
import {joinUnbracketedPaste} from '../../components/input/unbracketed-paste.js';

const ESC = '\u001b';

/** Feeds the chunks in order, then flushes (the caller's Esc timeout). */
function parse(...chunks: readonly string[]): KeyEvent[] {
  const parser = createKeyParser();
  return [...chunks.flatMap((c) => parser.feed(c)), ...parser.flush()];
}

/** A compact name for a key: "C-A-S-name", text as "text:…", pastes as "paste:…". */
function describeKey(event: KeyEvent): string {
  if (event.kind !== 'key') return `${event.kind}:${event.text}`;
  return `${event.ctrl ? 'C-' : ''}${event.alt ? 'A-' : ''}${event.shift ? 'S-' : ''}${event.name}`;
}

function names(...chunks: readonly string[]): string[] {
  return parse(...chunks).map(describeKey);
}

/** Adjacent text runs joined: how a read is cut may split a run of typing, never change it. */
function joinedText(events: readonly KeyEvent[]): string[] {
  const out: string[] = [];
  for (const name of events.map(describeKey)) {
    const last = out.at(-1);
    if (name.startsWith('text:') && last?.startsWith('text:')) out[out.length - 1] = last + name.slice(5);
    else out.push(name);
  }
  return out;
}

describe('the key parser', () => {
  it.each([
    ['plain text', 'hello', ['text:hello']],
    ['Enter (CR)', '\r', ['enter']],
    ['Ctrl+J (LF)', '\n', ['C-j']],
    ['Tab', '\t', ['tab']],
    ['Shift+Tab', `${ESC}[Z`, ['S-tab']],
    ['Backspace (DEL)', '\u007f', ['backspace']],
    ['Ctrl+H (BS)', '\b', ['C-h']],
    ['Ctrl+C', '\u0003', ['C-c']],
    ['Ctrl+N', '\u000e', ['C-n']],
    ['Ctrl+Space', '\u0000', ['C-space']],
    ['Ctrl+_', '\u001f', ['C-_']],
    ['Esc alone', ESC, ['escape']],
    ['Alt+x', `${ESC}x`, ['A-x']],
    ['Alt+Enter', `${ESC}\r`, ['A-enter']],
    ['Alt+Backspace', `${ESC}\u007f`, ['A-backspace']],
    ['Alt+emoji', `${ESC}😀`, ['A-😀']],
    ['up (CSI)', `${ESC}[A`, ['up']],
    ['down (SS3, application mode)', `${ESC}OB`, ['down']],
    ['right', `${ESC}[C`, ['right']],
    ['left', `${ESC}[D`, ['left']],
    ['Ctrl+Up (xterm)', `${ESC}[1;5A`, ['C-up']],
    ['Alt+Shift+Right (xterm)', `${ESC}[1;4C`, ['A-S-right']],
    ['Alt+Up (ESC ESC)', `${ESC}${ESC}[A`, ['A-up']],
    ['Shift+Up (rxvt)', `${ESC}[a`, ['S-up']],
    ['Ctrl+Left (rxvt)', `${ESC}Od`, ['C-left']],
    ['Home (xterm)', `${ESC}[H`, ['home']],
    ['End (xterm)', `${ESC}[F`, ['end']],
    ['Home (application mode)', `${ESC}OH`, ['home']],
    ['Home (tmux, VT220)', `${ESC}[1~`, ['home']],
    ['End (tmux, VT220)', `${ESC}[4~`, ['end']],
    ['Home (rxvt)', `${ESC}[7~`, ['home']],
    ['End (rxvt)', `${ESC}[8~`, ['end']],
    ['Ctrl+End (xterm)', `${ESC}[1;5F`, ['C-end']],
    ['Ctrl+Home (rxvt)', `${ESC}[7^`, ['C-home']],
    ['Shift+End (rxvt)', `${ESC}[8$`, ['S-end']],
    ['Insert', `${ESC}[2~`, ['insert']],
    ['Delete', `${ESC}[3~`, ['delete']],
    ['Ctrl+Delete', `${ESC}[3;5~`, ['C-delete']],
    ['PgUp', `${ESC}[5~`, ['pageUp']],
    ['PgDn', `${ESC}[6~`, ['pageDown']],
    ['F1 (xterm SS3)', `${ESC}OP`, ['f1']],
    ['F1 (VT220)', `${ESC}[11~`, ['f1']],
    ['F1 (Linux console)', `${ESC}[[A`, ['f1']],
    ['Shift+F1 (xterm)', `${ESC}[1;2P`, ['S-f1']],
    ['F2', `${ESC}OQ`, ['f2']],
    ['F3', `${ESC}OR`, ['f3']],
    ['F4', `${ESC}OS`, ['f4']],
    ['F5', `${ESC}[15~`, ['f5']],
    ['F5 (Linux console)', `${ESC}[[E`, ['f5']],
    ['F6', `${ESC}[17~`, ['f6']],
    ['F7', `${ESC}[18~`, ['f7']],
    ['F8', `${ESC}[19~`, ['f8']],
    ['F9', `${ESC}[20~`, ['f9']],
    ['F10', `${ESC}[21~`, ['f10']],
    ['F11', `${ESC}[23~`, ['f11']],
    ['F12', `${ESC}[24~`, ['f12']],
    ['Ctrl+F12', `${ESC}[24;5~`, ['C-f12']],
    ['kitty Ctrl+N', `${ESC}[110;5u`, ['C-n']],
    ['kitty Enter', `${ESC}[13u`, ['enter']],
    ['focus report (ignored by name)', `${ESC}[I`, ['unknown']],
    ['SGR mouse report', `${ESC}[<0;10;5M`, ['unknown']],
    ['a stray paste end', PASTE_END, ['unknown']],
  ])('%s', (_name, input, expected) => {
    expect(names(input)).toEqual(expected);
  });

  it('a chunk with 100 Ctrl+N yields 100 keys', () => {
    expect(names('\u000e'.repeat(100))).toEqual(Array<string>(100).fill('C-n'));
  });

  it('a chunk of mixed keys yields each in order', () => {
    expect(names(`ab${ESC}[A\u000e${ESC}[3~c${ESC}OP\r`)).toEqual(['text:ab', 'up', 'C-n', 'delete', 'text:c', 'f1', 'enter']);
  });

  it('text and Enter in one read are the text, then Enter', () => {
    expect(names('quick question\r')).toEqual(['text:quick question', 'enter']);
  });

  it('an escape sequence split at every byte boundary parses the same', () => {
    const input = `x${ESC}[1;5A${ESC}[24~${ESC}OP${ESC}${ESC}[D${ESC}[3~y${ESC}x${PASTE_START}pasted${ESC}[3~\r${PASTE_END}z`;
    const whole = joinedText(parse(input));
    expect(whole).toEqual([
      'text:x',
      'C-up',
      'f12',
      'f1',
      'A-left',
      'delete',
      'text:y',
      'A-x',
      `paste:pasted${ESC}[3~\r`,
      'text:z',
    ]);
    for (let cut = 1; cut < input.length; cut++) {
      expect(joinedText(parse(input.slice(0, cut), input.slice(cut))), `cut at ${cut}`).toEqual(whole);
    }
    expect(joinedText(parse(...Array.from(input)))).toEqual(whole);
  });

  it('holds an unfinished sequence back until it completes or is flushed', () => {
    const parser = createKeyParser();
    expect(parser.feed(`a${ESC}`)).toEqual([{kind: 'text', text: 'a'}]);
    expect(parser.holding()).toBe(true);
    expect(parser.feed('[').map(describeKey)).toEqual([]);
    expect(parser.feed('B').map(describeKey)).toEqual(['down']);
    expect(parser.holding()).toBe(false);
    parser.feed(ESC);
    expect(parser.flush().map(describeKey)).toEqual(['escape']);
    parser.feed(`${ESC}[`);
    expect(parser.flush().map(describeKey)).toEqual(['A-[']);
    parser.feed(`${ESC}[1;`);
    expect(parser.flush().map(describeKey)).toEqual(['A-[', 'text:1;']);
  });

  it('a run of parameter bytes too long to be a key is not waited for', () => {
    expect(names(`${ESC}[${'1'.repeat(40)}x`)).toEqual(['A-[', `text:${'1'.repeat(40)}x`]);
  });

  it('a bracketed paste is one event with its whole text, across many reads', () => {
    const text = 'line one\r\nline two\tand\u000e\u0003 keys inside\r'.repeat(1000);
    const chunks = [`typed${PASTE_START}`];
    for (let i = 0; i < text.length; i += 4096) chunks.push(text.slice(i, i + 4096));
    chunks.push(PASTE_END.slice(0, 3), `${PASTE_END.slice(3)}\r`);
    const events = parse(...chunks);
    expect(events.map((e) => e.kind)).toEqual(['text', 'paste', 'key']);
    expect(events[1]).toEqual({kind: 'paste', text});
  });

  it('a paste end marker split at every boundary still ends the paste', () => {
    const input = `${PASTE_START}a${ESC}[20b${PASTE_END}c`;
    for (let cut = 1; cut < input.length; cut++) {
      expect(names(input.slice(0, cut), input.slice(cut)), `cut at ${cut}`).toEqual([`paste:a${ESC}[20b`, 'text:c']);
    }
  });

  it('a paste is not ended by a flush', () => {
    const parser = createKeyParser();
    parser.feed(`${PASTE_START}half`);
    expect(parser.flush()).toEqual([]);
    expect(parser.feed(` done${PASTE_END}`)).toEqual([{kind: 'paste', text: 'half done'}]);
  });

  it('a paste whose end never comes is ended by Ctrl+C read alone: what came is the paste, then the key', () => {
    const parser = createKeyParser();
    expect(parser.feed(`typed${PASTE_START}half a paste`)).toEqual([{kind: 'text', text: 'typed'}]);
    expect(parser.feed('\r and more')).toEqual([]);
    expect(parser.flush()).toEqual([]);
    expect(parser.feed('\u0003').map(describeKey)).toEqual(['paste:half a paste\r and more', 'C-c']);
    // The parser is out of the paste: keys are keys again.
    expect(parser.feed('x\u0003').map(describeKey)).toEqual(['text:x', 'C-c']);
  });

  it('Ctrl+C right after a paste start is the key, with no empty paste', () => {
    expect(names(PASTE_START, '\u0003')).toEqual(['C-c']);
  });
});

describe('an unbracketed paste', () => {
  const joined = (input: string) => joinUnbracketedPaste(createKeyParser().feed(input)).map(describeKey);

  it.each([
    ['text with a line break inside is a paste', 'first\rsecond\r', ['paste:first\nsecond\n']],
    ['Ctrl+J counts as a line break', 'a\nb', ['paste:a\nb']],
    ['text and one Enter at its end is typed text, then Enter', 'question\r', ['text:question', 'enter']],
    ['Enters alone are keys', '\r\r', ['enter', 'enter']],
    ['a read with other keys is keys', `a\rb${ESC}[A`, ['text:a', 'enter', 'text:b', 'up']],
  ])('%s', (_name, input, expected) => {
    expect(joined(input)).toEqual(expected);
  });
});
