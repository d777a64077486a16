import {render} from 'ink';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import {App} from './App.js';
import {shareInkFrameCaches} from './ink/frame-caches.js';
import {ScreenWriter} from './screen-writer.js';
import {TerminalContext, type Terminal} from './terminal.js';

// Puts the full-screen chat on the terminal: the alternate screen (Ink 6 has no option for it) and
// the app over the store, driven through the commands it is given. The process around it (Mai,
// signals, exit codes) is the CLI's (src/cli/chat.ts).

// The alternate screen, cleared, with bracketed paste on (a paste arrives marked, so its newlines
// never send it); leaving turns paste marking off and shows the cursor again.
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?2004h';
const LEAVE_ALT_SCREEN = '\x1b[?2004l\x1b[?25h\x1b[?1049l';
// Mouse reporting, for the wheel alone: button events (1000) in SGR form (1006), which has no
// coordinate limit and cannot be mistaken for typed text. Off before anything else on the way out.
export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

export type TuiOptions = {
  readonly ascii: boolean;
  /** Ask for mouse wheel reports (config `ui.mouse`, `--no-mouse`). */
  readonly mouse?: boolean;
};

export type Tui = {
  /** Resolves once the app has left the screen (after `close`). */
  readonly closed: Promise<void>;
  /** Resolves once the first frame is on the terminal: what is slow (spawning, probing) waits for it. */
  readonly firstFrame: Promise<void>;
  close(): void;
  /** Gives the terminal back as it was (main screen, cooked mode); idempotent, also on exit or crash. */
  restoreTerminal(): void;
};

export function runTui(store: MaiStore, commands: MaiCommands, {ascii, mouse = false}: TuiOptions): Tui {
  shareInkFrameCaches();
  const enter = ENTER_ALT_SCREEN + (mouse ? MOUSE_ON : '');
  const leave = (mouse ? MOUSE_OFF : '') + LEAVE_ALT_SCREEN;
  process.stdout.write(enter);
  let restored = false;
  const screen = new ScreenWriter(process.stdout);
  const restoreTerminal = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restoreTerminal);
    screen.detach();
    try {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
    } catch {
      // The terminal is gone (EIO): there is no mode to give back, and the shutdown must go on.
    }
    process.stdout.write(leave);
  };
  process.on('exit', restoreTerminal);
  const app = () => <App store={store} commands={commands} ascii={ascii} />;
  const terminal: Terminal = {
    write: (data) => {
      screen.flush();
      process.stdout.write(data);
    },
    suspend: (run) => {
      screen.flush();
      process.stdout.write(leave);
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      try {
        return run();
      } finally {
        if (process.stdin.isTTY) process.stdin.setRawMode(true);
        process.stdout.write(enter);
        // The screen was cleared on the way back: the next frame is drawn whole, and one is asked for now.
        screen.invalidate();
        instance.rerender(<TerminalContext.Provider value={terminal}>{app()}</TerminalContext.Provider>);
      }
    },
  };
  // Debug mode: Ink writes each frame as plain text and the ScreenWriter draws only what changed
  // (see screen-writer.ts for why neither of Ink's own ways of redrawing is used).
  const instance = render(<TerminalContext.Provider value={terminal}>{app()}</TerminalContext.Provider>, {
    stdout: screen as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const closed = instance.waitUntilExit().then(restoreTerminal, (error: unknown) => {
    restoreTerminal();
    throw error;
  });
  return {closed, firstFrame: screen.firstFrame, close: () => instance.unmount(), restoreTerminal};
}
