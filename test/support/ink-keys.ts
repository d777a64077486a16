// Keys as a terminal sends them, and a way to write them to ink-testing-library's stdin that does
// not lose any. Ink reads stdin through a parser that holds a lone ESC back until the next
// setImmediate (it could be the start of a sequence), and useInput's listener is re-attached after
// a re-render; a key written before both have happened can be dropped or merged with the next.
// So after every write: one setTimeout(0) and three setImmediates.

export const KEYS = {
  enter: '\r',
  altEnter: '\u001b\r',
  ctrlJ: '\n',
  escape: '\u001b',
  backspace: '\u007f',
  left: '\u001b[D',
  right: '\u001b[C',
  up: '\u001b[A',
  down: '\u001b[B',
  home: '\u001b[H',
  end: '\u001b[F',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  f1: '\u001bOP',
  ctrlC: '\u0003',
  ctrlD: '\u0004',
  ctrlL: '\u000c',
  ctrlN: '\u000e',
  ctrlP: '\u0010',
  ctrlU: '\u0015',
} as const;

type Writable = {readonly write: (data: string) => void};

/** Lets Ink parse what was written, React re-render, and Ink re-attach its input listener. */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Writes each chunk as its own read (a key, or a whole paste) and settles after each. */
export async function press(stdin: Writable, ...chunks: readonly string[]): Promise<void> {
  for (const chunk of chunks) {
    stdin.write(chunk);
    await settle();
  }
}

/** Types text one character per read, like a person (a multi-character write is a paste). */
export async function type(stdin: Writable, text: string): Promise<void> {
  await press(stdin, ...Array.from(text));
}

export type Size = {readonly columns: number; readonly rows: number};

/** ink-testing-library's stdout is 100 columns and has no rows: give it a size and tell Ink. */
export function resize(stdout: NodeJS.EventEmitter, {columns, rows}: Size): void {
  Object.defineProperty(stdout, 'columns', {value: columns, configurable: true});
  Object.defineProperty(stdout, 'rows', {value: rows, configurable: true});
  stdout.emit('resize');
}

