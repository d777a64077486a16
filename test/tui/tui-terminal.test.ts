import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import xterm from '@xterm/headless';
import {afterEach, describe, expect, it} from 'vitest';
import {TEST_MODELS} from '../support/models.js';
import {processExists} from '../support/processes.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor as waitForCondition} from '../support/wait-for.js';

// `mai` in a real pseudo-terminal (util-linux `script`), its output read by a terminal emulator
// (xterm.js, headless): the screen a user sees, the alternate screen, and the terminal given back.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const COLUMNS = 100;
const ROWS = 30;

type Session = {
  readonly child: ChildProcessWithoutNullStreams;
  readonly terminal: InstanceType<typeof xterm.Terminal>;
  screen(): string;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
};

let sandbox: Sandbox | undefined;
let session: Session | undefined;

afterEach(async () => {
  session?.child.kill('SIGKILL');
  await session?.exited;
  await sandbox?.cleanup();
  session = undefined;
  sandbox = undefined;
});

async function openMai(models: Parameters<typeof createSandbox>[0], args: readonly string[] = []): Promise<Session> {
  sandbox ??= await createSandbox(models);
  const terminal = new xterm.Terminal({cols: COLUMNS, rows: ROWS, allowProposedApi: true});
  // Ink draws only the last frame when CI is set: the user's terminal is not a CI log.
  const env = {...sandbox.env, TERM: 'xterm-256color'};
  const command = [process.execPath, CLI, ...args].join(' ');
  const child = spawn('script', ['-q', '-e', '-c', `stty cols ${COLUMNS} rows ${ROWS}; exec ${command}`, '/dev/null'], {env});
  child.stdout.on('data', (data: Buffer) => terminal.write(data));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const screen = () => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < terminal.rows; row++) lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  const waitFor = (text: string | RegExp, timeoutMs = 20_000) =>
    waitForCondition(() => (typeof text === 'string' ? screen().includes(text) : text.test(screen())), {
      what: `${String(text)} on screen`,
      timeoutMs,
      detail: screen,
    });
  session = {child, terminal, screen, waitFor, exited};
  return session;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Types `text` one key per read, like a person: each key is written once the composer shows the
 * one before it, so no two reach mai in one read (Ink would take several characters in one read
 * for a paste).
 */
async function typeText({child, waitFor}: Session, text: string): Promise<void> {
  for (let end = 1; end <= text.length; end++) {
    child.stdin.write(text[end - 1]);
    await waitFor(new RegExp(`^│ > ${escapeRegExp(text.slice(0, end))}\\s*│$`, 'm'));
  }
}

describe('mai in a real terminal', () => {
  it('opens full screen, streams a reply, and gives the terminal back on Ctrl+C twice', async () => {
    const opened = await openMai(['demo-small']);
    const {child, terminal, screen, waitFor, exited} = opened;
    await waitFor('● mai-demo-small');
    expect(terminal.buffer.active.type).toBe('alternate');
    // The frame fills the width, and its top row is the chat's border (nothing scrolled away).
    expect(screen().split('\n')[0]).toMatch(/^┌ chat ─+┐┌ resources ─+┐$/);

    await typeText(opened, 'hello');
    child.stdin.write('\r');
    await waitFor('Hello! I am mai-demo-small');
    await waitFor(/model mai-demo-small · \d+ tok\/s/);
    const words = (TEST_MODELS['demo-small'].message ?? '').split(' ');
    expect(screen()).toContain(words.slice(-3).join(' '));
    expect(screen().split('\n')[0]).toMatch(/^┌ chat ─+┐/);
    // Every row is the frame's: the status bar on the terminal's last row, the composer right above.
    expect(screen().split('\n')[ROWS - 1]).toMatch(/^ model mai-demo-small · \d+ tok\/s/);
    expect(screen().split('\n')[ROWS - 2]).toMatch(/^└─+┘$/);

    child.stdin.write('\x03');
    await waitFor('press Ctrl+C again to quit');
    child.stdin.write('\x03');
    expect(await exited).toBe(0);
    expect(terminal.buffer.active.type).toBe('normal');
  });

  it('a paste with line breaks stays in the composer until Enter', async () => {
    const {child, screen, waitFor} = await openMai(['demo-small']);
    await waitFor('● mai-demo-small');
    child.stdin.write('\x1b[200~first line\rsecond line\x1b[201~');
    await waitFor('second line');
    expect(screen()).toMatch(/> first line/);
    expect(screen()).not.toContain('Hello! I am');
    child.stdin.write('\r');
    await waitFor('Hello! I am mai-demo-small');
  });

  it('R4: brings the conversation back with --resume after the terminal was killed in the middle of a reply', async () => {
    const first = await openMai(['slow']);
    await first.waitFor('● test-slow');
    await typeText(first, 'hello slow model');
    first.child.stdin.write('\r');
    await first.waitFor('This is the slow');
    // The terminal's window is closed: `script` (the terminal) dies, mai gets a hangup and EIO.
    const maiPid = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(first.child.pid)], {encoding: 'utf8'}).trim());
    first.child.kill('SIGKILL');
    await first.exited;
    await waitForCondition(() => !processExists(maiPid), {what: `mai (pid ${maiPid}) to exit after its terminal closed`});

    const second = await openMai(['slow'], ['chat', '--resume']);
    await second.waitFor(/resumed conversation \d{8}-\d{6}-[0-9a-f]{4}: 2 messages/);
    await second.waitFor('hello slow model');
    // The reply as far as it got (all of it, when it ended before mai shut down), never lost.
    await second.waitFor('This is the slow');
    await typeText(second, 'and again');
    second.child.stdin.write('\r');
    await second.waitFor(/and again[\s\S]*This is the slow/);
  });

  it('refuses --resume with nothing to resume, exit 2, before taking the screen', async () => {
    const {exited, screen} = await openMai(['slow'], ['chat', '--resume', 'nope']);
    expect(await exited).toBe(2);
    expect(screen()).toContain('mai: there are no saved conversations yet');
  });
});
