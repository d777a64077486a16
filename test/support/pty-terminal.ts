import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import xterm from '@xterm/headless';
import {afterEach} from 'vitest';
import {createSandbox, type Sandbox} from './sandbox.js';
import {waitFor as waitForCondition} from './wait-for.js';

// The built `mai` in a real pseudo-terminal (util-linux `script`), its output read by a terminal
// emulator (xterm.js, headless): what a user sees, keys written as a terminal delivers them, and
// the terminal's modes (alternate screen, mouse reporting) as mai leaves them.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
export const COLUMNS = 100;
export const ROWS = 30;

export type MaiTerminal = {
  /** The HOME mai runs in. */
  readonly sandbox: Sandbox;
  /** `script`, the terminal: its stdin is the keyboard, its stdout the screen's bytes. */
  readonly child: ChildProcessWithoutNullStreams;
  readonly terminal: InstanceType<typeof xterm.Terminal>;
  readonly exited: Promise<number | null>;
  /** The rows on screen, as text. */
  screen(): string;
  /** Waits until the screen holds `text` (or matches it); the bound is for a broken run only. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until `condition` holds, checked as the screen changes and every 20 ms. */
  waitUntil(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  /**
   * When the screen first satisfies `condition`, checked each time the terminal has parsed what
   * mai wrote (performance.now() of that moment): for figures, not for waiting on states.
   */
  screenChangeUntil(what: string, condition: (screen: string) => boolean, timeoutMs?: number): Promise<number>;
  /** The pid of mai itself (the process `script` runs), once it has started. */
  maiPid(): number;
};

export type MaiTerminalOptions = {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly columns?: number;
  readonly rows?: number;
};

/** Starts `mai ARGS` in a new pseudo-terminal on `sandbox`'s HOME. */
export function openMaiTerminal(sandbox: Sandbox, {args = [], env = {}, columns = COLUMNS, rows = ROWS}: MaiTerminalOptions = {}): MaiTerminal {
  const terminal = new xterm.Terminal({cols: columns, rows, allowProposedApi: true});
  const command = [process.execPath, CLI, ...args].join(' ');
  // CI stays unset: Ink draws only the last frame when it is set, and the user's terminal is not a CI log.
  const child = spawn('script', ['-q', '-e', '-c', `stty cols ${columns} rows ${rows}; exec ${command}`, '/dev/null'], {
    env: {...sandbox.env, TERM: 'xterm-256color', ...env},
  });
  child.stdout.on('data', (data: Buffer) => terminal.write(data));
  // A test that ends early kills the terminal while a write is still queued: not a failure of its own.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const screen = () => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < terminal.rows; row++) lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  const waitUntil = (what: string, condition: () => boolean, timeoutMs = 60_000) => waitForCondition(condition, {what, timeoutMs, detail: screen});
  const waitFor = (text: string | RegExp, timeoutMs = 60_000) =>
    waitUntil(`${String(text)} on screen`, () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())), timeoutMs);
  const screenChangeUntil = (what: string, condition: (screen: string) => boolean, timeoutMs = 60_000) =>
    new Promise<number>((resolve, reject) => {
      const done = (at: number) => {
        clearTimeout(timer);
        subscription.dispose();
        resolve(at);
      };
      const timer = setTimeout(() => {
        subscription.dispose();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${screen()}`));
      }, timeoutMs);
      const subscription = terminal.onWriteParsed(() => {
        if (condition(screen())) done(performance.now());
      });
      if (condition(screen())) done(performance.now());
    });
  let pid: number | undefined;
  const maiPid = () => {
    pid ??= Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], {encoding: 'utf8'}).trim());
    return pid;
  };
  return {sandbox, child, terminal, exited, screen, waitFor, waitUntil, screenChangeUntil, maiPid};
}

export type MaiTerminals = {
  /** The current test's sandbox over `models`, made on first use. */
  sandbox(models: Parameters<typeof createSandbox>[0]): Promise<Sandbox>;
  /** Opens mai in a terminal on the current test's sandbox (made over `models` if there is none yet). */
  open(models: Parameters<typeof createSandbox>[0], options?: MaiTerminalOptions): Promise<MaiTerminal>;
};

/** Call once at the top of a test file: every terminal is killed and the sandbox removed after each test. */
export function maiTerminals(): MaiTerminals {
  let sandbox: Sandbox | undefined;
  const opened: MaiTerminal[] = [];
  afterEach(async () => {
    for (const session of opened.splice(0)) {
      session.child.kill('SIGKILL');
      await session.exited;
    }
    await sandbox?.cleanup();
    sandbox = undefined;
  });
  const sandboxFor = async (models: Parameters<typeof createSandbox>[0]) => (sandbox ??= await createSandbox(models));
  return {
    sandbox: sandboxFor,
    async open(models, options) {
      const session = openMaiTerminal(await sandboxFor(models), options);
      opened.push(session);
      return session;
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Types `text` one key per read, like a person: each key is written once the composer shows the
 * one before it, so no two reach mai in one read.
 */
export async function typeText({child, waitFor}: MaiTerminal, text: string): Promise<void> {
  for (let end = 1; end <= text.length; end++) {
    child.stdin.write(text[end - 1]);
    await waitFor(new RegExp(`^│ > ${escapeRegExp(text.slice(0, end))}\\s*│$`, 'm'));
  }
}
