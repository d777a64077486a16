import {describe, expect, it} from 'vitest';
import {TEST_MODELS} from '../support/models.js';
import {processExists} from '../support/processes.js';
import {maiTerminals, ROWS, typeText} from '../support/pty-terminal.js';
import {waitFor as waitForCondition} from '../support/wait-for.js';

// `mai` in a real pseudo-terminal (test/support/pty-terminal.ts): the screen a user sees, the
// alternate screen, and the terminal given back.

const terminals = maiTerminals();
const openMai = (models: Parameters<typeof terminals.open>[0], args: readonly string[] = []) => terminals.open(models, {args});

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
    const maiPid = first.maiPid();
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
