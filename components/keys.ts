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
  | 'togglePaste'
  | 'modelPicker'
  | 'conversationPicker'
  | 'regenerate'
  | 'editLast'
  | 'search'
  | 'searchNext'
  | 'searchPrev'
  | 'copyReply'
  | 'copyCode'
  | 'externalEditor'
  | 'toggleThinking'
  | 'firstMessage'
  | 'lastMessage'
  | 'wheel';

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
  modelPicker: {id: 'modelPicker', keys: 'Ctrl+O', description: 'pick a model (type to filter)', match: ctrl('o')},
  conversationPicker: {
    id: 'conversationPicker',
    keys: 'Ctrl+R',
    description: 'resume a past conversation',
    match: ctrl('r'),
  },
  // The chat's own features (components/chat/). Ctrl+O and Ctrl+R are the pickers'.
  regenerate: {id: 'regenerate', keys: 'Ctrl+G', description: 'write the last reply again, current model', match: ctrl('g')},
  editLast: {
    id: 'editLast',
    keys: '↑ (no text)',
    description: 'edit your last message, resend in its place',
    match: plain('up'),
  },
  search: {id: 'search', keys: 'Ctrl+F', description: 'search the chat (Esc leaves)', match: ctrl('f')},
  searchNext: {
    id: 'searchNext',
    keys: 'n, Enter',
    description: 'next hit (while searching)',
    match: (e) => (e.kind === 'text' && e.text === 'n') || (e.kind === 'key' && plain('enter')(e) && !e.shift),
  },
  searchPrev: {
    id: 'searchPrev',
    keys: 'N, Shift+Enter',
    description: 'previous hit (while searching)',
    match: (e) => (e.kind === 'text' && e.text === 'N') || (e.kind === 'key' && plain('enter')(e) && e.shift),
  },
  copyReply: {id: 'copyReply', keys: 'Ctrl+Y', description: 'copy the last reply to the clipboard', match: ctrl('y')},
  copyCode: {
    id: 'copyCode',
    keys: 'Alt+1…9',
    description: 'copy the Nth code block of the last reply',
    match: (e) => e.kind === 'key' && e.alt && !e.ctrl && /^[1-9]$/.test(e.name),
  },
  externalEditor: {
    id: 'externalEditor',
    keys: 'Ctrl+X Ctrl+E',
    description: 'write the message in $VISUAL / $EDITOR',
    // The chord's first key; the second is matched by the chord itself (useChatKeys.ts).
    match: ctrl('x'),
  },
  toggleThinking: {id: 'toggleThinking', keys: 'Ctrl+K', description: "show / fold a reasoning model's thinking", match: ctrl('k')},
  firstMessage: {id: 'firstMessage', keys: 'Home (no text)', description: 'jump to the first message', match: plain('home')},
  lastMessage: {id: 'lastMessage', keys: 'End (no text)', description: 'jump to the last message', match: plain('end')},
  wheel: {
    id: 'wheel',
    keys: 'mouse wheel',
    description: 'scroll (Shift+drag selects; --no-mouse)',
    match: (e) => e.kind === 'key' && (e.name === 'wheelUp' || e.name === 'wheelDown'),
  },
} as const satisfies {readonly [Id in KeyBindingId]: KeyBinding & {readonly id: Id}};

/** The second key of the external editor chord (after Ctrl+X). */
export const EDITOR_CHORD_SECOND: KeyMatcher = ctrl('e');

export type KeyTable = {readonly [Id in KeyBindingId]: KeyBinding};

/**
 * The table in force: the defaults with the config's `keys:` applied (key-config.ts, once, when the
 * App mounts). Module state, like the terminal it describes: one per process. Every handler asks
 * through `matches`, so a remapped key works in every layer without any of them knowing.
 */
let active: KeyTable = KEY_BINDINGS;
/** What was wrong with the config's keys, one line each: the help shows them for as long as mai runs. */
let problems: readonly string[] = [];

export function activeBindings(): KeyTable {
  return active;
}

export function keyProblems(): readonly string[] {
  return problems;
}

export function setActiveBindings(table: KeyTable, found: readonly string[] = []): void {
  active = table;
  problems = found;
}

/** The order the help overlay lists the keys in, grouped; the most needed first (small screens clip). */
export const HELP_SECTIONS: readonly {readonly title: string; readonly ids: readonly KeyBindingId[]}[] = [
  {title: 'chat', ids: ['send', 'newline', 'stop', 'scrollUp', 'scrollDown', 'wheel', 'firstMessage', 'lastMessage']},
  {
    title: 'replies',
    ids: ['regenerate', 'editLast', 'search', 'searchNext', 'searchPrev', 'copyReply', 'copyCode', 'toggleThinking', 'externalEditor'],
  },
  {title: 'models', ids: ['nextModel', 'prevModel', 'modelPicker', 'autoSwitch', 'conversationPicker']},
  {title: 'screen', ids: ['help', 'panels', 'redraw', 'quit']},
  {
    title: 'editing',
    ids: ['cursorLeft', 'cursorRight', 'cursorUp', 'cursorDown', 'lineStart', 'lineEnd', 'erase', 'eraseForward', 'clearInput', 'togglePaste'],
  },
];

/** HELP_SECTIONS, and a last section with every binding none of them lists: the help misses no key. */
export function helpSections(): readonly {readonly title: string; readonly ids: readonly KeyBindingId[]}[] {
  const listed = new Set(HELP_SECTIONS.flatMap((section) => section.ids));
  const rest = (Object.keys(KEY_BINDINGS) as KeyBindingId[]).filter((id) => !listed.has(id));
  return rest.length === 0 ? HELP_SECTIONS : [...HELP_SECTIONS, {title: 'more', ids: rest}];
}

/**
 * The key in force for `id` as a hint names it ("F4 stops it"): the first of its keys after the
 * config's remaps, so a hint never names a key that does something else.
 */
export function keyFor(id: KeyBindingId): string {
  const keys = active[id].keys;
  // "Ctrl+C Ctrl+C" (press twice) is one key pressed twice: a hint names it once.
  return (keys.split(', ')[0] ?? keys).split(' ')[0] ?? keys;
}

export function matches(id: KeyBindingId, event: KeyEvent): boolean {
  return active[id].match(event);
}
