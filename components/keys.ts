import type {KeyEvent} from './input/key-event.js';

// THE key table (STYLE.md 6): every key mai reacts to is named here once; the dispatcher, the
// composer binding and the help overlay all read it, so the help can never disagree with the code.
// Keys come from mai's own parser of the raw input (input/parse-keys.ts), not from Ink's useInput,
// which merges every key of a read into one input and cannot tell F1 from F2, Backspace from
// Delete, or see a paste; here each of those is its own event.

export type KeyMatcher = (event: KeyEvent) => boolean;

/** One layer of the dispatcher (useKeyDispatcher.ts): returns true when it consumed the key. */
export type KeyHandler = (event: KeyEvent) => boolean;

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
  | 'autoSwitch'
  | 'prevModel'
  | 'scrollUp'
  | 'scrollDown'
  | 'help'
  | 'panels'
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
  | 'clearInput'
  | 'togglePaste';

/** The key `name` with no Ctrl and no Alt (Shift is let through: Shift+Home is still Home). */
const plain =
  (name: string): KeyMatcher =>
  (e) =>
    e.kind === 'key' && e.name === name && !e.ctrl && !e.alt;

const ctrl =
  (letter: string): KeyMatcher =>
  (e) =>
    e.kind === 'key' && e.name === letter && e.ctrl && !e.alt;

const either =
  (...matchers: readonly KeyMatcher[]): KeyMatcher =>
  (e) =>
    matchers.some((m) => m(e));

export const KEY_BINDINGS = {
  send: {id: 'send', keys: 'Enter', description: 'send the message', match: plain('enter')},
  newline: {
    id: 'newline',
    keys: 'Alt+Enter, Ctrl+J',
    description: 'new line in the message',
    match: (e) => (e.kind === 'key' && e.name === 'enter' && e.alt && !e.ctrl) || ctrl('j')(e),
  },
  stop: {id: 'stop', keys: 'Esc', description: 'stop the reply, keep its text', match: plain('escape')},
  nextModel: {id: 'nextModel', keys: 'Ctrl+N', description: 'switch to the next model', match: ctrl('n')},
  prevModel: {id: 'prevModel', keys: 'Ctrl+P', description: 'switch to the previous model', match: ctrl('p')},
  autoSwitch: {id: 'autoSwitch', keys: 'Ctrl+A', description: 'automatic model switching off / on', match: ctrl('a')},
  scrollUp: {id: 'scrollUp', keys: 'PgUp', description: 'scroll the chat up a page', match: plain('pageUp')},
  scrollDown: {id: 'scrollDown', keys: 'PgDn', description: 'scroll the chat down a page', match: plain('pageDown')},
  help: {
    id: 'help',
    keys: '?, F1',
    description: 'this help (? in an empty message)',
    match: (e) => (e.kind === 'text' && e.text === '?') || plain('f1')(e),
  },
  // Under 100 columns the resources and models fold into one line; this shows them over the chat.
  panels: {id: 'panels', keys: 'F2', description: 'resources and models (under 100 columns)', match: plain('f2')},
  redraw: {id: 'redraw', keys: 'Ctrl+L', description: 'redraw the screen', match: ctrl('l')},
  quit: {id: 'quit', keys: 'Ctrl+C Ctrl+C', description: 'quit (press twice within 2 s)', match: ctrl('c')},
  cursorLeft: {id: 'cursorLeft', keys: '←', description: 'cursor left', match: plain('left')},
  cursorRight: {id: 'cursorRight', keys: '→', description: 'cursor right', match: plain('right')},
  cursorUp: {id: 'cursorUp', keys: '↑', description: 'cursor to the line above', match: plain('up')},
  cursorDown: {id: 'cursorDown', keys: '↓', description: 'cursor to the line below', match: plain('down')},
  // Ctrl+A is automatic switching (DESIGN.md §8), so the line's ends are Home and End alone.
  lineStart: {id: 'lineStart', keys: 'Home', description: 'start of the line', match: plain('home')},
  lineEnd: {id: 'lineEnd', keys: 'End', description: 'end of the line', match: plain('end')},
  // Ctrl+H too: many terminals (and tmux with some TERMs) send it for the Backspace key.
  erase: {
    id: 'erase',
    keys: 'Backspace',
    description: 'delete before the cursor',
    match: either(plain('backspace'), ctrl('h')),
  },
  eraseForward: {
    id: 'eraseForward',
    keys: 'Delete, Ctrl+D',
    description: 'delete at the cursor',
    match: either(plain('delete'), ctrl('d')),
  },
  clearInput: {id: 'clearInput', keys: 'Ctrl+U', description: 'clear the message', match: ctrl('u')},
  togglePaste: {
    id: 'togglePaste',
    keys: 'Ctrl+T',
    description: 'expand or collapse a large paste',
    match: ctrl('t'),
  },
} as const satisfies {readonly [Id in KeyBindingId]: KeyBinding & {readonly id: Id}};

/** The order the help overlay lists the keys in, grouped; the most needed first (small screens clip). */
export const HELP_SECTIONS: readonly {readonly title: string; readonly ids: readonly KeyBindingId[]}[] = [
  {title: 'chat', ids: ['send', 'newline', 'stop', 'scrollUp', 'scrollDown']},
  {title: 'models', ids: ['nextModel', 'prevModel', 'autoSwitch']},
  {title: 'screen', ids: ['help', 'panels', 'redraw', 'quit']},
  {
    title: 'editing',
    ids: ['cursorLeft', 'cursorRight', 'cursorUp', 'cursorDown', 'lineStart', 'lineEnd', 'erase', 'eraseForward', 'clearInput', 'togglePaste'],
  },
];

export function matches(id: KeyBindingId, event: KeyEvent): boolean {
  return KEY_BINDINGS[id].match(event);
}
