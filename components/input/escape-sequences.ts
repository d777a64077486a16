import {keyPress, type KeyPress} from './key-event.js';

// What a complete CSI (ESC [) or SS3 (ESC O) sequence means, across the terminals mai meets:
// xterm and its descendants (VTE, iTerm2, kitty, WezTerm, Windows Terminal), rxvt, the Linux
// console and tmux/screen (which send their own Home/End forms). Sources: xterm's ctlseqs
// ("PC-Style Function Keys"), rxvt-unicode's doc/rxvt.7 ("Key Codes"), the Linux console's
// keymaps, and the kitty keyboard protocol (CSI code u).

/** ESC [ code ~ (VT220 style): Home/End in their VT220, rxvt (7/8) and tmux (1/4) forms, and F-keys. */
const TILDE_CODES: Readonly<Record<number, string>> = {
  1: 'home',
  2: 'insert',
  3: 'delete',
  4: 'end',
  5: 'pageUp',
  6: 'pageDown',
  7: 'home',
  8: 'end',
  11: 'f1',
  12: 'f2',
  13: 'f3',
  14: 'f4',
  15: 'f5',
  17: 'f6',
  18: 'f7',
  19: 'f8',
  20: 'f9',
  21: 'f10',
  23: 'f11',
  24: 'f12',
};

/** ESC [ 1;mod X and ESC O X: cursor keys, Home/End, and F1-F4 in their xterm forms. */
const LETTER_KEYS: Readonly<Record<string, string>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
};

/** rxvt: ESC [ a-d are Shift+arrows, ESC O a-d Ctrl+arrows. */
const RXVT_ARROWS: Readonly<Record<string, string>> = {a: 'up', b: 'down', c: 'right', d: 'left'};

/** The Linux console's F1-F5: ESC [ [ A ... ESC [ [ E. */
const LINUX_F_KEYS: Readonly<Record<string, string>> = {A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5'};

/** rxvt marks modifiers of ~ keys by the final byte instead: $ Shift, ^ Ctrl, @ Ctrl+Shift. */
const RXVT_FINALS: Readonly<Record<string, {readonly ctrl: boolean; readonly shift: boolean}>> = {
  '~': {ctrl: false, shift: false},
  $: {ctrl: false, shift: true},
  '^': {ctrl: true, shift: false},
  '@': {ctrl: true, shift: true},
};

type Modifiers = {readonly ctrl: boolean; readonly alt: boolean; readonly shift: boolean};

/** xterm's modifier parameter: 1 + a bit field (1 Shift, 2 Alt, 4 Ctrl, 8 Meta, read as Alt). */
function modifiers(param: string | undefined, alt: boolean): Modifiers {
  const bits = Math.max(0, (Number.parseInt(param ?? '1', 10) || 1) - 1);
  return {shift: (bits & 1) !== 0, alt: alt || (bits & 2) !== 0 || (bits & 8) !== 0, ctrl: (bits & 4) !== 0};
}

/** Kitty's CSI code;mod u: the code is a Unicode code point; a few are named keys. */
function kittyKey(code: number, mods: Modifiers, sequence: string): KeyPress {
  const named: Readonly<Record<number, string>> = {9: 'tab', 13: 'enter', 27: 'escape', 32: 'space', 127: 'backspace'};
  const name = named[code] ?? (code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : 'unknown');
  return keyPress(name, sequence, mods);
}

/**
 * `body` is what follows ESC [ up to and including the final byte; `alt` is set when the sequence
 * came after an extra ESC (Alt+arrow on terminals that send ESC ESC [ A).
 */
export function decodeCsi(body: string, sequence: string, alt: boolean): KeyPress {
  if (body.startsWith('[') && body.length === 2) {
    return keyPress(LINUX_F_KEYS[body.charAt(1)] ?? 'unknown', sequence, {alt});
  }
  const final = body.charAt(body.length - 1);
  const params = body.slice(0, -1).split(';').map((p) => p.split(':')[0] ?? '');
  const [first, second] = params;
  if (body.startsWith('<')) return mouseReport(body, sequence);
  if (/^[>?=]/.test(body)) return keyPress('unknown', sequence); // terminal reports
  if (final === 'Z') return keyPress('tab', sequence, {...modifiers(second, alt), shift: true});
  const rxvt = RXVT_FINALS[final];
  if (rxvt) {
    const name = TILDE_CODES[Number.parseInt(first ?? '', 10)] ?? 'unknown';
    const mods = modifiers(second, alt);
    return keyPress(name, sequence, {alt: mods.alt, ctrl: mods.ctrl || rxvt.ctrl, shift: mods.shift || rxvt.shift});
  }
  if (final === 'u') return kittyKey(Number.parseInt(first ?? '', 10), modifiers(second, alt), sequence);
  const letter = LETTER_KEYS[final];
  if (letter) return keyPress(letter, sequence, modifiers(params.length > 1 ? second : undefined, alt));
  const rxvtArrow = RXVT_ARROWS[final];
  if (rxvtArrow && body.length === 1) return keyPress(rxvtArrow, sequence, {alt, shift: true});
  return keyPress('unknown', sequence);
}

/**
 * An SGR mouse report (ESC [ < button ; column ; row M, or m on release), asked for with modes 1000
 * and 1006 (runTui.tsx). Only the wheel is used: buttons 64 (up) and 65 (down), with 4 Shift, 8
 * Alt, 16 Ctrl added; clicks and releases are ignored.
 */
function mouseReport(body: string, sequence: string): KeyPress {
  const match = /^<(\d+);\d+;\d+[Mm]$/.exec(body);
  const button = match ? Number.parseInt(match[1] ?? '', 10) : -1;
  if (button < 64 || button >= 128 || body.endsWith('m')) return keyPress('unknown', sequence);
  const mods = {shift: (button & 4) !== 0, alt: (button & 8) !== 0, ctrl: (button & 16) !== 0};
  const wheel = button & 0b11;
  if (wheel > 1) return keyPress('unknown', sequence); // horizontal wheel (66, 67)
  return keyPress(wheel === 0 ? 'wheelUp' : 'wheelDown', sequence, mods);
}

/** `body` is what follows ESC O: an optional modifier digit and the final byte. */
export function decodeSs3(body: string, sequence: string, alt: boolean): KeyPress {
  const final = body.charAt(body.length - 1);
  const mods = modifiers(body.length > 1 ? body.slice(0, -1) : undefined, alt);
  if (final === 'M') return keyPress('enter', sequence, mods); // keypad Enter in application mode
  const letter = LETTER_KEYS[final];
  if (letter) return keyPress(letter, sequence, mods);
  const rxvtArrow = RXVT_ARROWS[final];
  if (rxvtArrow) return keyPress(rxvtArrow, sequence, {...mods, ctrl: true});
  return keyPress('unknown', sequence);
}
