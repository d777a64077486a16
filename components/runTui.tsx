import {render} from 'ink';
import {EXIT_INTERRUPTED, EXIT_OK, UsageError} from '../src/cli/exit-codes.js';
import {terminalPrefersBlocks} from '../src/util/format.js';
import {Mai, type MaiOptions} from '../src/mai.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {App} from './App.js';
import {ScreenWriter} from './screen-writer.js';

// Starts the full-screen chat: the alternate screen (Ink 6 has no option for it), the app, and a
// terminal put back as it was on every way out: quit, signals, and crashes.

// The alternate screen, cleared, with bracketed paste on (a paste arrives marked, so its newlines
// never send it); leaving turns paste marking off and shows the cursor again.
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?2004h';
const LEAVE_ALT_SCREEN = '\x1b[?2004l\x1b[?25h\x1b[?1049l';

export type TuiOptions = MaiOptions & {readonly ascii?: boolean};

function restoreTerminalOnEveryExit(saveNow: () => void): () => void {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
    } catch {
      // The terminal is gone (EIO): there is no mode to give back, and the shutdown must go on.
    }
    process.stdout.write(LEAVE_ALT_SCREEN);
  };
  const crash = (error: unknown) => {
    // What a reply streamed since its last write reaches the file before the process goes.
    saveNow();
    restore();
    // A crash's message can carry model or file text: no escape sequence reaches the terminal.
    process.stderr.write(sanitizeForTerminal(`mai crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`) + '\n');
    process.exit(1);
  };
  process.on('exit', restore);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return () => {
    restore();
    process.off('exit', restore);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
  };
}

/**
 * Anything a library prints with console.* while the chat is on screen would be drawn over it:
 * it goes to the event log instead.
 */
/* eslint-disable no-console -- replacing console.* is the point here, not printing with it */
function silenceConsole(mai: Mai): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => mai.logConsole(method, args);
  }
  return () => methods.forEach((method, i) => (console[method] = saved[i] as (typeof console)[typeof method]));
}
/* eslint-enable no-console */

export async function runTui(options: TuiOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError('the chat needs a terminal; in scripts use `mai ask`');
  }
  const mai = await Mai.create({...options, keepSpareEngine: true});
  const ascii = options.ascii ?? (mai.config.ui.ascii || terminalPrefersBlocks(process.env));
  process.stdout.write(ENTER_ALT_SCREEN);
  const restore = restoreTerminalOnEveryExit(() => mai.saveNow());
  const restoreConsole = silenceConsole(mai);
  let exitCode = EXIT_OK;
  const screen = new ScreenWriter(process.stdout);
  // Debug mode: Ink writes each frame as plain text and the ScreenWriter draws only what changed
  // (see screen-writer.ts for why neither of Ink's own ways of redrawing is used).
  const instance = render(<App store={mai.store} commands={mai} ascii={ascii} />, {
    stdout: screen as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let hungUp = false;
  let stopping = false;
  const stop = (code: number, hangup: boolean) => {
    // The first signal decides how mai ends; later ones (a closed terminal can send SIGHUP more
    // than once) must neither change it nor, with no handler left, kill mai in its shutdown.
    if (stopping) return;
    stopping = true;
    exitCode = code;
    hungUp = hangup;
    instance.unmount();
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal === 'SIGINT' ? EXIT_INTERRUPTED : signal === 'SIGTERM' ? 143 : 129, signal === 'SIGHUP');
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  // A terminal whose window was closed fails every later read and write with EIO, asynchronously,
  // as 'error' events: unhandled, they would kill mai in the middle of its shutdown and lose the end
  // of the conversation. It is a hangup: shut down as for SIGHUP. The listeners stay to the end,
  // for the writes that the way out still makes.
  const onTerminalGone = () => stop(129, true);
  process.stdout.on('error', onTerminalGone);
  process.stdin.on('error', onTerminalGone);
  mai.onQuit(() => instance.unmount());
  mai.start();
  try {
    await instance.waitUntilExit();
  } finally {
    screen.detach();
    restore();
    restoreConsole();
    await mai.shutdown();
    for (const signal of signals) process.off(signal, onSignal);
  }
  if (hungUp) {
    // Everything is saved. Exiting normally now would have Node reset the terminal's mode on the
    // way out, and on a terminal that is gone that fails an assertion in Node (ResetStdio) and
    // aborts the process. Ending by the hangup itself, as its default action, is what a hangup is.
    for (const signal of signals) process.removeAllListeners(signal);
    process.kill(process.pid, 'SIGHUP');
  }
  return exitCode;
}
