import v8 from 'node:v8';
import {terminalPrefersBlocks} from '../util/format.js';
import {Mai, type MaiOptions} from '../mai.js';
import {sanitizeForTerminal} from '../util/sanitize.js';
import {EXIT_FAILURE, EXIT_HANGUP, EXIT_OK, UsageError} from './exit-codes.js';
import {endByHangup, onStopSignals} from './stop-signals.js';

// `mai chat`: builds Mai, hands the full-screen TUI its store and commands, and owns the process
// around it: signals and a closed terminal become exit codes, a crash keeps the reply's text and
// gives the terminal back, and the console cannot draw over the screen.

export type ChatOptions = MaiOptions & {readonly ascii?: boolean; readonly mouse?: boolean};

/**
 * Anything a library prints with console.* while the chat is on screen would be drawn over it:
 * it goes to the event log instead.
 */
/* eslint-disable no-console -- replacing console.* is the point here, not printing with it */
function consoleToLog(mai: Mai): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => mai.logConsole(method, args);
  }
  return () => methods.forEach((method, i) => (console[method] = saved[i] as (typeof console)[typeof method]));
}
/* eslint-enable no-console */

export async function chat(options: ChatOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError('the chat needs a terminal; in scripts use `mai ask`');
  }
  const {ascii: asciiOption, mouse: mouseOption, ...maiOptions} = options;
  // React's development build (what it loads when NODE_ENV is unset) checks and records every
  // render: it doubled the cost of a keystroke's frame. Read when React is first imported, just below.
  process.env.NODE_ENV ??= 'production';
  // V8 grows the young generation up to 16 MB per half under the start's allocations and keeps it
  // when idle: 14 MB of the chat's resident memory held for garbage. A chat allocates little per
  // frame, so the young generation stays the size it has now (1-2 MB halves): a young collection
  // every second or so when idle, a few milliseconds. The growth factor is read at each growth,
  // so setting it after V8 started takes effect.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // Loaded only here: `mai ask`, `mai status` and `--help` never pay for React and Ink. The import
  // starts now, so reading the UI's modules overlaps reading the config and the catalogue's files.
  const tuiModule = import('../../components/runTui.js');
  tuiModule.catch(() => undefined);
  const mai = await Mai.create({...maiOptions, keepSpareEngine: true});
  const ascii = asciiOption ?? (mai.config.ui.ascii || terminalPrefersBlocks(process.env));
  const {runTui} = await tuiModule;
  const tui = runTui(mai.store, mai, {ascii, mouse: mouseOption ?? mai.config.ui.mouse});

  let exitCode = EXIT_OK;
  let hungUp = false;
  let stopping = false;
  const stop = (code: number) => {
    // The first signal decides how mai ends; later ones (a closed terminal can send SIGHUP more
    // than once) must neither change it nor, with no handler left, kill mai in its shutdown.
    if (stopping) return;
    stopping = true;
    exitCode = code;
    hungUp = code === EXIT_HANGUP;
    tui.close();
  };
  const removeSignals = onStopSignals((_signal, code) => stop(code));
  // A terminal whose window was closed fails every later read and write with EIO, asynchronously,
  // as 'error' events: unhandled, they would kill mai in the middle of its shutdown and lose the end
  // of the conversation. It is a hangup. The listeners stay to the end, for the writes that the
  // way out still makes.
  const onTerminalGone = () => stop(EXIT_HANGUP);
  process.stdout.on('error', onTerminalGone);
  process.stdin.on('error', onTerminalGone);
  const crash = (error: unknown) => {
    // What a reply streamed since its last write reaches the file before the process goes.
    mai.saveNow();
    // Main screen, cooked mode, paste marking and mouse reporting off: a shell left in mouse mode
    // would print escape codes at every wheel turn.
    tui.restoreTerminal();
    // A crash's message can carry model or file text: no escape sequence reaches the terminal.
    process.stderr.write(sanitizeForTerminal(`mai crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`) + '\n');
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const restoreConsole = consoleToLog(mai);
  mai.onQuit(() => tui.close());
  try {
    // The frame (layout, gauges, panel) first: the resource monitor's first sample, spawning the
    // engine, LM Studio's probe and the catalogue follow it (before, they held it back by seconds
    // on a busy machine: spawning a process blocks the event loop for tens of ms each).
    await Promise.race([tui.firstFrame, tui.closed]);
    mai.start();
    await tui.closed;
  } finally {
    tui.restoreTerminal();
    restoreConsole();
    await mai.shutdown();
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    removeSignals();
  }
  // Everything is saved; a terminal that is gone is left by the hangup itself.
  if (hungUp) endByHangup();
  // The config's key problems were shown in the alternate screen, now gone: once more where they stay.
  const {keyProblems} = await import('../../components/keys.js');
  for (const problem of keyProblems()) process.stderr.write(`mai: ${sanitizeForTerminal(problem)}\n`);
  return exitCode;
}
