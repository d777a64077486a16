import type {Key} from 'ink';

// THE key table (STYLE.md 6): every key mai reacts to is named here once; the dispatcher, the
// composer binding and the help overlay all read it, so the help can never disagree with the code.
//
// How Ink 6 reports keys (node_modules/ink/build/parse-keypress.js + hooks/use-input.js), which the
// matchers below rely on:
// - Enter is "\r": key.return. Alt+Enter is "\x1b\r": key.return with key.meta.
// - Ctrl+J is "\n": no flag at all, input "\n" (parse-keypress names it "enter", not "return").
// - Ctrl+letter: key.ctrl with input = the letter. Ctrl+H and Ctrl+M are Backspace and Enter.
// - The Backspace key sends "\x7f", which Ink reports as key.delete; the Delete key ("\x1b[3~") is
//   key.delete too. The two cannot be told apart, so both erase backwards (as ink-text-input does)
//   and forward delete is Ctrl+D.
// - F1 ("\x1bOP", "\x1b[11~") is parsed as "f1" but the Key object has no field for it and the input
//   is "": the only thing that marks it is a key with no text and no flag. So F1 matches any such
//   unnamed key (F2-F12 and Insert open the help too): harmless, and the best Ink 6 allows.

export type KeyMatcher = (input: string, key: Key) => boolean;

/** One layer of the dispatcher (useKeyDispatcher.ts): returns true when it consumed the key. */
export type KeyHandler = (input: string, key: Key) => boolean;

export type KeyBinding = {
  readonly id: KeyBindingId;
  /** How the help overlay names the keys. */
  readonly keys: string;
  readonly description: string;
  readonly match: KeyMatcher;
};

export type KeyBindingId =
  | 'send'
  | 'newline'
  | 'stop'
  | 'nextModel'
  | 'prevModel'
  | 'scrollUp'
  | 'scrollDown'
  | 'help'
  | 'redraw'
  | 'quit'
  | 'cursorLeft'
  | 'cursorRight'
  | 'cursorUp'
  | 'cursorDown'
  | 'lineStart'
  | 'lineEnd'
  | 'erase'
  | 'eraseForward'
  | 'clearInput';

const ctrl =
  (letter: string): KeyMatcher =>
  (input, key) =>
    key.ctrl && input === letter;

/** True for a key Ink reports with no text and no flag: F1 (see the note at the top). */
export function isUnnamedKey(input: string, key: Key): boolean {
  const named =
    key.upArrow ||
    key.downArrow ||
    key.leftArrow ||
    key.rightArrow ||
    key.pageUp ||
    key.pageDown ||
    key.home ||
    key.end ||
    key.return ||
    key.escape ||
    key.tab ||
    key.backspace ||
    key.delete ||
    key.ctrl ||
    key.meta;
  return input === '' && !named;
}

export const KEY_BINDINGS = {
  send: {id: 'send', keys: 'Enter', description: 'send the message', match: (_i, k) => k.return && !k.meta},
  newline: {
    id: 'newline',
    keys: 'Alt+Enter, Ctrl+J',
    description: 'new line in the message',
    match: (input, k) => (k.return && k.meta) || (input === '\n' && !k.ctrl && !k.meta),
  },
  stop: {id: 'stop', keys: 'Esc', description: 'stop the reply, keep its text', match: (_i, k) => k.escape},
  nextModel: {id: 'nextModel', keys: 'Ctrl+N', description: 'switch to the next model', match: ctrl('n')},
  prevModel: {id: 'prevModel', keys: 'Ctrl+P', description: 'switch to the previous model', match: ctrl('p')},
  scrollUp: {id: 'scrollUp', keys: 'PgUp', description: 'scroll the chat up a page', match: (_i, k) => k.pageUp},
  scrollDown: {
    id: 'scrollDown',
    keys: 'PgDn',
    description: 'scroll the chat down a page',
    match: (_i, k) => k.pageDown,
  },
  help: {
    id: 'help',
    keys: '?, F1',
    description: 'this help (? in an empty message)',
    match: (input, k) => (input === '?' && !k.ctrl && !k.meta) || isUnnamedKey(input, k),
  },
  redraw: {id: 'redraw', keys: 'Ctrl+L', description: 'redraw the screen', match: ctrl('l')},
  quit: {id: 'quit', keys: 'Ctrl+C Ctrl+C', description: 'quit (press twice within 2 s)', match: ctrl('c')},
  cursorLeft: {id: 'cursorLeft', keys: '←', description: 'cursor left', match: (_i, k) => k.leftArrow},
  cursorRight: {id: 'cursorRight', keys: '→', description: 'cursor right', match: (_i, k) => k.rightArrow},
  cursorUp: {id: 'cursorUp', keys: '↑', description: 'cursor to the line above', match: (_i, k) => k.upArrow},
  cursorDown: {id: 'cursorDown', keys: '↓', description: 'cursor to the line below', match: (_i, k) => k.downArrow},
  lineStart: {id: 'lineStart', keys: 'Home', description: 'start of the line', match: (_i, k) => k.home},
  lineEnd: {id: 'lineEnd', keys: 'End', description: 'end of the line', match: (_i, k) => k.end},
  erase: {
    id: 'erase',
    keys: 'Backspace',
    description: 'delete before the cursor',
    match: (_i, k) => k.backspace || k.delete,
  },
  eraseForward: {id: 'eraseForward', keys: 'Ctrl+D', description: 'delete at the cursor', match: ctrl('d')},
  clearInput: {id: 'clearInput', keys: 'Ctrl+U', description: 'clear the message', match: ctrl('u')},
} as const satisfies {readonly [Id in KeyBindingId]: KeyBinding & {readonly id: Id}};

/** The order the help overlay lists the keys in, grouped; the most needed first (small screens clip). */
export const HELP_SECTIONS: readonly {readonly title: string; readonly ids: readonly KeyBindingId[]}[] = [
  {title: 'chat', ids: ['send', 'newline', 'stop', 'scrollUp', 'scrollDown']},
  {title: 'models', ids: ['nextModel', 'prevModel']},
  {title: 'screen', ids: ['help', 'redraw', 'quit']},
  {
    title: 'editing',
    ids: ['cursorLeft', 'cursorRight', 'cursorUp', 'cursorDown', 'lineStart', 'lineEnd', 'erase', 'eraseForward', 'clearInput'],
  },
];

export function matches(id: KeyBindingId, input: string, key: Key): boolean {
  return KEY_BINDINGS[id].match(input, key);
}
