import {createKeyParser, type KeyParser} from '../../components/input/parse-keys.js';
import {ESCAPE_WAIT_MS} from '../../components/useKeyDispatcher.js';

// Keys as a terminal sends them, and a way to write them to ink-testing-library's stdin and see
// their effect. Ink holds a lone ESC back until the next setImmediate and mai's dispatcher for
// ESCAPE_WAIT_MS more (either could be the start of a sequence), and React renders after the keys:
// so after every write one setTimeout(0) and three setImmediates, and after a write that ends in
// a held-back ESC, the dispatcher's wait first.

export const KEYS = {
  enter: '\r',
  altEnter: '\u001b\r',
  ctrlJ: '\n',
  escape: '\u001b',
  backspace: '\u007f',
  delete: '\u001b[3~',
  left: '\u001b[D',
  right: '\u001b[C',
  up: '\u001b[A',
  down: '\u001b[B',
  home: '\u001b[H',
  end: '\u001b[F',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  f1: '\u001bOP',
  f2: '\u001bOQ',
  f3: '\u001bOR',
  f4: '\u001bOS',
  ctrlA: '\u0001',
  ctrlC: '\u0003',
  ctrlD: '\u0004',
  ctrlL: '\u000c',
  ctrlN: '\u000e',
  ctrlP: '\u0010',
  ctrlT: '\u0014',
  ctrlU: '\u0015',
} as const;

type Writable = {readonly write: (data: string) => void};

/** Lets Ink parse what was written, React re-render, and Ink re-attach its input listener. */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The same parser as the app's, fed the same chunks: it tells when the app holds an ESC back. */
const shadowParsers = new WeakMap<Writable, KeyParser>();

/** Writes each chunk as its own read (a key, or a whole paste) and settles after each. */
export async function press(stdin: Writable, ...chunks: readonly string[]): Promise<void> {
  const shadow = shadowParsers.get(stdin) ?? createKeyParser();
  shadowParsers.set(stdin, shadow);
  for (const chunk of chunks) {
    stdin.write(chunk);
    shadow.feed(chunk);
    if (shadow.holding()) {
      shadow.flush();
      // The app's own wait starts when Ink reads the chunk, a little after this write: waiting just
      // as long here lost the race on a loaded machine (CI saw a lone Esc not yet taken as a key).
      await new Promise<void>((resolve) => setTimeout(resolve, ESCAPE_WAIT_MS * 2));
    }
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

