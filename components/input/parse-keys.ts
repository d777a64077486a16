import {decodeCsi, decodeSs3} from './escape-sequences.js';
import {keyPress, type KeyEvent, type KeyPress} from './key-event.js';

// Raw terminal input (what a read from stdin in raw mode returns) to keys, in order. A read can
// hold many keys (tmux send-keys, key repeat, ssh all batch them) and a key can span reads (an
// escape sequence cut by the tty, a paste of a megabyte), so the parser is incremental: `feed` each
// chunk, get every key it completed. Pure: no timers, no I/O; the caller decides when a held-back
// Esc has waited long enough and calls `flush`.

export const PASTE_START = '\u001b[200~';
export const PASTE_END = '\u001b[201~';

/**
 * Ctrl+C as a read of its own. Inside a paste that never ends (a terminal or a program that sent the
 * start marker and died) every key would be pasted text; Ctrl+C alone in a read is the user
 * reaching for the way out: pasted text arrives in reads of many bytes, not this one alone.
 */
const CTRL_C = '\u0003';

/**
 * Longest CSI sequence taken as one: real keys are under 16 bytes (kitty's CSI 57399;16:3u). A longer
 * run of parameter bytes after ESC [ is not a key, and waiting for its end would swallow typing.
 */
const MAX_SEQUENCE_LENGTH = 32;

export type KeyParser = {
  /** Parses one chunk; returns the keys it completed (an unfinished sequence is held back). */
  readonly feed: (chunk: string) => KeyEvent[];
  /**
   * No more input came for a while: what is held back is complete as it is. A lone ESC is the Esc
   * key, ESC [ is Alt+[. A paste in progress is not ended (a slow link may pause inside one); a
   * read of Ctrl+C alone ends it, what came of it is the paste, and Ctrl+C is a key.
   */
  readonly flush: () => KeyEvent[];
  /** Bytes are held back, waiting to see whether more of an escape sequence follows. */
  readonly holding: () => boolean;
};

type Step = {readonly event: KeyEvent | 'pasteStart'; readonly next: number};

export function createKeyParser(): KeyParser {
  let held = '';
  /** The parts of a bracketed paste so far; null outside one. */
  let paste: string[] | null = null;
  /** The end of the paste read so far that may be the start of its end marker. */
  let pasteTail = '';

  /** Reads paste text from `start`; returns where normal parsing resumes (input.length if not). */
  const readPaste = (parts: string[], input: string, start: number, out: KeyEvent[]): number => {
    const data = pasteTail + input.slice(start);
    const end = data.indexOf(PASTE_END);
    if (end !== -1) {
      parts.push(data.slice(0, end));
      out.push({kind: 'paste', text: parts.join('')});
      const resume = start + end + PASTE_END.length - pasteTail.length;
      paste = null;
      pasteTail = '';
      return resume;
    }
    let keep = Math.min(PASTE_END.length - 1, data.length);
    while (keep > 0 && !PASTE_END.startsWith(data.slice(data.length - keep))) keep -= 1;
    parts.push(data.slice(0, data.length - keep));
    pasteTail = data.slice(data.length - keep);
    return input.length;
  };

  const parse = (input: string, final: boolean): KeyEvent[] => {
    const out: KeyEvent[] = [];
    let i = 0;
    while (i < input.length) {
      if (paste) {
        i = readPaste(paste, input, i, out);
        continue;
      }
      const code = input.charCodeAt(i);
      if (code === 0x1b) {
        const step = readEscape(input, i, final);
        if (step === 'incomplete') {
          held = input.slice(i);
          break;
        }
        if (step.event === 'pasteStart') {
          paste = [];
          pasteTail = '';
        } else {
          out.push(step.event);
        }
        i = step.next;
      } else if (isText(code)) {
        let end = i + 1;
        while (end < input.length && isText(input.charCodeAt(end))) end += 1;
        out.push({kind: 'text', text: input.slice(i, end)});
        i = end;
      } else {
        out.push(controlKey(input.charAt(i), false));
        i += 1;
      }
    }
    return out;
  };

  return {
    feed: (chunk) => {
      if (paste !== null && chunk === CTRL_C) {
        const text = paste.join('') + pasteTail;
        paste = null;
        pasteTail = '';
        const key = controlKey(CTRL_C, false);
        return text === '' ? [key] : [{kind: 'paste', text}, key];
      }
      const input = held + chunk;
      held = '';
      return parse(input, false);
    },
    flush: () => {
      const input = held;
      held = '';
      return parse(input, true);
    },
    holding: () => held !== '',
  };
}

function isText(code: number): boolean {
  return code >= 0x20 && code !== 0x7f;
}

/** A C0 control or DEL as a key: Enter, Tab, Backspace, or Ctrl+letter. */
function controlKey(char: string, alt: boolean): KeyPress {
  const code = char.charCodeAt(0);
  const mods = {alt};
  if (char === '\r') return keyPress('enter', char, mods);
  if (char === '\t') return keyPress('tab', char, mods);
  if (code === 0x7f) return keyPress('backspace', char, mods);
  if (code === 0x00) return keyPress('space', char, {...mods, ctrl: true});
  if (code === 0x1b) return keyPress('escape', char, mods);
  // 0x01-0x1a are Ctrl+A..Z (so "\n" is Ctrl+J and 0x08 Ctrl+H); 0x1c-0x1f are Ctrl+\ ] ^ _.
  const name = code <= 0x1a ? String.fromCharCode(code + 0x60) : String.fromCharCode(code + 0x40);
  return keyPress(name, char, {...mods, ctrl: true});
}

/** ESC at `start`: an escape sequence, Alt+key, or Esc. 'incomplete' when more bytes may follow. */
function readEscape(input: string, start: number, final: boolean): Step | 'incomplete' {
  const next = input.charAt(start + 1);
  if (next === '') return final ? {event: keyPress('escape', '\u001b'), next: start + 1} : 'incomplete';
  if (next === '[' || next === 'O') {
    const sequence = readSequence(input, start, start + 1, false, final);
    if (sequence !== 'invalid') return sequence;
  } else if (next === '\u001b') {
    // ESC ESC [ A: Alt+arrow on terminals that mark Alt with an extra ESC (rxvt, old xterm).
    const third = input.charAt(start + 2);
    if (third === '' && !final) return 'incomplete';
    if (third === '[' || third === 'O') {
      const sequence = readSequence(input, start, start + 2, true, final);
      if (sequence !== 'invalid') return sequence;
    }
    return {event: keyPress('escape', '\u001b'), next: start + 1};
  }
  // Alt+key: ESC and one character (a whole code point) or control.
  const codePoint = input.codePointAt(start + 1) ?? 0;
  const char = String.fromCodePoint(codePoint);
  const end = start + 1 + char.length;
  const event = isText(codePoint) ? keyPress(char, char, {alt: true}) : controlKey(char, true);
  return {event: {...event, sequence: input.slice(start, end)}, next: end};
}

/**
 * A CSI or SS3 sequence whose introducer ([ or O) is at `introducer`; `start` is its first ESC.
 * 'invalid' when the bytes cannot be one (the caller takes ESC + next character as Alt+key).
 */
function readSequence(input: string, start: number, introducer: number, alt: boolean, final: boolean): Step | 'incomplete' | 'invalid' {
  const bodyStart = introducer + 1;
  const waitOrGiveUp = () => (final ? 'invalid' : 'incomplete');
  if (input.charAt(introducer) === 'O') {
    // SS3: an optional modifier digit, then the final byte.
    let end = bodyStart;
    if (/[1-9]/.test(input.charAt(end))) end += 1;
    if (end >= input.length) return waitOrGiveUp();
    if (!isFinalByte(input.charCodeAt(end))) return 'invalid';
    const sequence = input.slice(start, end + 1);
    return {event: decodeSs3(input.slice(bodyStart, end + 1), sequence, alt), next: end + 1};
  }
  let end = bodyStart;
  if (input.charAt(end) === '[') {
    // The Linux console's F1-F5: ESC [ [ A-E.
    if (end + 1 >= input.length) return waitOrGiveUp();
    end += 1;
  } else {
    while (end < input.length && isParameterOrIntermediate(input.charCodeAt(end))) {
      // rxvt's Shift+key ends in $ (ESC [ 3 $), which is an intermediate byte for everyone else.
      if (input.charAt(end) === '$' && /^\d+$/.test(input.slice(bodyStart, end))) break;
      end += 1;
      if (end - start > MAX_SEQUENCE_LENGTH) return 'invalid';
    }
    if (end >= input.length) return waitOrGiveUp();
  }
  const last = input.charCodeAt(end);
  if (!isFinalByte(last) && input.charAt(end) !== '$') return 'invalid';
  const body = input.slice(bodyStart, end + 1);
  const sequence = input.slice(start, end + 1);
  if (body === '200~' && !alt) return {event: 'pasteStart', next: end + 1};
  return {event: decodeCsi(body, sequence, alt), next: end + 1};
}

function isParameterOrIntermediate(code: number): boolean {
  return code >= 0x20 && code <= 0x3f;
}

function isFinalByte(code: number): boolean {
  return code >= 0x40 && code <= 0x7e;
}
