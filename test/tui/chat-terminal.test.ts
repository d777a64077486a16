import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {chmod, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import xterm from '@xterm/headless';
import {afterEach, describe, expect, it} from 'vitest';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor as waitForCondition} from '../support/wait-for.js';

// The chat features that change the terminal's own modes, in a real pseudo-terminal (util-linux
// `script`) read by xterm.js: mouse reporting on while mai runs and off when it ends, and the
// screen handed to $EDITOR (main screen, no mouse, cooked mode) and taken back.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const COLUMNS = 100;
const ROWS = 30;

type Session = {
  readonly child: ChildProcessWithoutNullStreams;
  readonly terminal: InstanceType<typeof xterm.Terminal>;
  waitFor(what: string, condition: () => boolean): Promise<void>;
  screen(): string;
  readonly exited: Promise<number | null>;
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

async function openMai(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Session> {
  sandbox ??= await createSandbox(['demo-small']);
  const terminal = new xterm.Terminal({cols: COLUMNS, rows: ROWS, allowProposedApi: true});
  const command = [process.execPath, CLI, ...args].join(' ');
  const child = spawn('script', ['-q', '-e', '-c', `stty cols ${COLUMNS} rows ${ROWS}; exec ${command}`, '/dev/null'], {
    env: {...sandbox.env, TERM: 'xterm-256color', ...env},
  });
  child.stdout.on('data', (data: Buffer) => terminal.write(data));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const screen = () => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < terminal.rows; row++) lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  const waitFor = (what: string, condition: () => boolean) => waitForCondition(condition, {what, timeoutMs: 60_000, detail: screen});
  session = {child, terminal, waitFor, screen, exited};
  return session;
}

describe('the terminal around the chat', () => {
  it('mouse reporting is on while the chat runs and off once it has quit', async () => {
    const {child, terminal, waitFor, screen, exited} = await openMai();
    await waitFor('the model loaded', () => screen().includes('● mai-demo-small'));
    expect(terminal.modes.mouseTrackingMode).toBe('vt200');
    child.stdin.write('\x03');
    await waitFor('the quit hint', () => screen().includes('press Ctrl+C again to quit'));
    child.stdin.write('\x03');
    expect(await exited).toBe(0);
    expect(terminal.modes.mouseTrackingMode).toBe('none');
    expect(terminal.buffer.active.type).toBe('normal');
  });

  it('--no-mouse leaves mouse reporting off', async () => {
    const {terminal, waitFor, screen} = await openMai(['chat', '--no-mouse']);
    await waitFor('the model loaded', () => screen().includes('● mai-demo-small'));
    expect(terminal.modes.mouseTrackingMode).toBe('none');
  });

  it('Ctrl+X Ctrl+E gives the terminal to $EDITOR (main screen, no mouse, line mode) and takes it back', async () => {
    sandbox = await createSandbox(['demo-small']);
    const editor = path.join(sandbox.home, 'editor.sh');
    // Waits for a line typed on the terminal: only possible when mai has left raw mode.
    await writeFile(editor, '#!/bin/sh\necho "EDITOR HAS THE SCREEN"\nread answer < /dev/tty\nprintf "%s, edited: %s" "$(cat "$1")" "$answer" > "$1"\n');
    await chmod(editor, 0o755);
    const {child, terminal, waitFor, screen} = await openMai([], {EDITOR: editor, VISUAL: ''});
    await waitFor('the model loaded', () => screen().includes('● mai-demo-small'));
    // One key per read, each once the one before shows (several characters in one read are a paste).
    for (let end = 1; end <= 'draft'.length; end++) {
      child.stdin.write('draft'.charAt(end - 1));
      await waitFor(`"${'draft'.slice(0, end)}" typed`, () => screen().includes(`> ${'draft'.slice(0, end)}`));
    }
    child.stdin.write('\x18');
    child.stdin.write('\x05');
    await waitFor('the editor on the main screen', () => terminal.buffer.active.type === 'normal' && screen().includes('EDITOR HAS THE SCREEN'));
    expect(terminal.modes.mouseTrackingMode).toBe('none');
    child.stdin.write('yes\r');
    await waitFor('the chat back with the edited message', () => terminal.buffer.active.type === 'alternate' && screen().includes('> draft, edited: yes'));
    expect(terminal.modes.mouseTrackingMode).toBe('vt200');
    // The whole frame is drawn again, not only the composer.
    expect(screen().split('\n')[0]).toMatch(/^┌ chat ─+┐/);
  });
});
