// Key names as the config file writes them ("ctrl+o", "f2", "alt+enter", "?"): parsed into what
// a key event carries, named back for the help, and checked against what a terminal can send.
// Pure: the config schema validates with it, the TUI's key table (components/keys.ts) builds its
// matchers from it.

/** A key as mai's key parser reports it: a named key or a character, and its modifiers. */
export type KeySpec = {
  /** A named key ("enter", "f2", "pageUp") or one character ("o", "?"). */
  readonly name: string;
  readonly ctrl: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
};

export const KEY_NAME_EXAMPLES = '"ctrl+o", "f2", "alt+enter" or "?"';

/** Names a person may write for each named key, lower case. */
const NAMED_KEYS: Readonly<Record<string, string>> = {
  enter: 'enter',
  return: 'enter',
  esc: 'escape',
  escape: 'escape',
  tab: 'tab',
  space: 'space',
  backspace: 'backspace',
  delete: 'delete',
  del: 'delete',
  insert: 'insert',
  ins: 'insert',
  up: 'up',
  down: 'down',
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  pageup: 'pageUp',
  pgup: 'pageUp',
  pagedown: 'pageDown',
  pgdn: 'pageDown',
};

type Modifier = 'ctrl' | 'alt' | 'shift';
const MODIFIER_ALIASES: Readonly<Record<string, Modifier>> = {ctrl: 'ctrl', control: 'ctrl', alt: 'alt', meta: 'alt', option: 'alt', shift: 'shift'};

/** "ctrl+o" to a KeySpec; null when it names no key. Case does not matter, except for one character. */
export function parseKeyName(text: string): KeySpec | null {
  const trimmed = text.trim();
  // "+" alone, or "ctrl++": the last part is the key itself, and may be "+".
  const parts = trimmed.endsWith('++') ? [...trimmed.slice(0, -2).split('+'), '+'] : trimmed === '+' ? ['+'] : trimmed.split('+');
  const keyPart = parts.pop();
  if (keyPart === undefined || keyPart === '') return null;
  const mods = {ctrl: false, alt: false, shift: false};
  for (const part of parts) {
    const modifier = MODIFIER_ALIASES[part.trim().toLowerCase()];
    if (modifier === undefined || mods[modifier]) return null;
    mods[modifier] = true;
  }
  const lower = keyPart.trim().toLowerCase();
  const named = NAMED_KEYS[lower] ?? (/^f([1-9]|1[0-9]|2[0-4])$/.test(lower) ? lower : undefined);
  if (named !== undefined) return {name: named, ...mods};
  const chars = Array.from(keyPart);
  if (chars.length !== 1) return null;
  const char = chars[0] as string;
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x21 || (code >= 0x7f && code <= 0x9f)) return null;
  // With Ctrl the terminal sends one control code for a letter whatever its case: name it by the lower.
  return {name: mods.ctrl && /^[A-Za-z]$/.test(char) ? char.toLowerCase() : char, ...mods};
}

/**
 * Why a terminal cannot send `spec` as a key of its own, or null when it can. Terminals send
 * Ctrl+letter as one control code (Ctrl+I is Tab, Ctrl+M Enter, Ctrl+[ Esc), Shift+character as
 * the other character, and mai's parser names F1 to F12 only.
 */
export function unsendable(spec: KeySpec): string | null {
  const single = Array.from(spec.name).length === 1;
  if (spec.ctrl && single) {
    const same: Readonly<Record<string, string>> = {i: 'Tab', m: 'Enter', '[': 'Esc'};
    const alias = same[spec.name];
    if (alias) return `terminals send it as ${alias}`;
    if (!/^[a-z\\\]^_]$/.test(spec.name)) return 'terminals send Ctrl only with a letter or one of \\ ] ^ _';
    if (spec.shift) return 'terminals send Ctrl+Shift+letter as Ctrl+letter';
  }
  if (single && spec.shift && !spec.ctrl) return 'Shift with a character is the other character (write it instead)';
  if (/^f\d+$/.test(spec.name) && Number(spec.name.slice(1)) > 12) return 'only F1 to F12 are read';
  return null;
}

/** How the help names a key: "Ctrl+O", "Alt+Enter", "F2", "PgUp", "?". */
export function keyLabel(spec: KeySpec): string {
  const labels: Readonly<Record<string, string>> = {
    enter: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    space: 'Space',
    backspace: 'Backspace',
    delete: 'Delete',
    insert: 'Insert',
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    home: 'Home',
    end: 'End',
    pageUp: 'PgUp',
    pageDown: 'PgDn',
  };
  const base = labels[spec.name] ?? (/^f\d+$/.test(spec.name) ? spec.name.toUpperCase() : spec.name.length === 1 && spec.ctrl ? spec.name.toUpperCase() : spec.name);
  return [spec.ctrl ? 'Ctrl' : '', spec.alt ? 'Alt' : '', spec.shift ? 'Shift' : '', base].filter((part) => part !== '').join('+');
}

/** The config's name for a binding ("model_picker") from the key table's id ("modelPicker"), and back. */
export function configKeyId(id: string): string {
  return id.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function bindingIdOf(configId: string): string {
  return configId.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
