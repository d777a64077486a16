// What the key parser (parse-keys.ts) hands the dispatcher: one event per key the user pressed, a
// run of typed text, or one whole bracketed paste.

/** Keys that are not text. Ctrl+letter and Alt+letter keys are named by their letter instead. */
export type NamedKey =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'pageUp'
  | 'pageDown'
  | 'insert'
  | 'delete'
  | 'backspace'
  | 'enter'
  | 'tab'
  | 'escape'
  | 'space'
  | `f${number}`
  /** The mouse wheel, from SGR mouse reports (only while mouse reporting is on). */
  | 'wheelUp'
  | 'wheelDown'
  /** A well-formed sequence mai has no name for (focus reports, keypad keys...): ignored. */
  | 'unknown';

export type KeyPress = {
  readonly kind: 'key';
  /** A NamedKey, or the character for Ctrl+letter ("n" for Ctrl+N) and Alt+character. */
  readonly name: string;
  readonly ctrl: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
  /** The bytes as they came, for tests and logs. */
  readonly sequence: string;
};

export type KeyEvent =
  /** Printable characters typed (several when they arrived in one read). */
  | {readonly kind: 'text'; readonly text: string}
  /** A bracketed paste, whole, markers removed; raw (not yet sanitized). */
  | {readonly kind: 'paste'; readonly text: string}
  | KeyPress;

export function keyPress(
  name: string,
  sequence: string,
  mods: {readonly ctrl?: boolean; readonly alt?: boolean; readonly shift?: boolean} = {},
): KeyPress {
  return {kind: 'key', name, ctrl: mods.ctrl ?? false, alt: mods.alt ?? false, shift: mods.shift ?? false, sequence};
}
