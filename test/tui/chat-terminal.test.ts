import {chmod, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {maiTerminals, typeText} from '../support/pty-terminal.js';

// The chat features that change the terminal's own modes, in a real pseudo-terminal
// (test/support/pty-terminal.ts): mouse reporting on while mai runs and off when it ends, and the
// screen handed to $EDITOR (main screen, no mouse, cooked mode) and taken back.

const terminals = maiTerminals();
const openMai = (args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) => terminals.open(['demo-small'], {args, env});

describe('the terminal around the chat', () => {
  it('mouse reporting is on while the chat runs and off once it has quit', async () => {
    const {child, terminal, waitFor, exited} = await openMai();
    await waitFor('● mai-demo-small');
    expect(terminal.modes.mouseTrackingMode).toBe('vt200');
    child.stdin.write('\x03');
    await waitFor('press Ctrl+C again to quit');
    child.stdin.write('\x03');
    expect(await exited).toBe(0);
    expect(terminal.modes.mouseTrackingMode).toBe('none');
    expect(terminal.buffer.active.type).toBe('normal');
  });

  it('--no-mouse leaves mouse reporting off', async () => {
    const {terminal, waitFor} = await openMai(['chat', '--no-mouse']);
    await waitFor('● mai-demo-small');
    expect(terminal.modes.mouseTrackingMode).toBe('none');
  });

  it('Ctrl+X Ctrl+E gives the terminal to $EDITOR (main screen, no mouse, line mode) and takes it back', async () => {
    const sandbox = await terminals.sandbox(['demo-small']);
    const editor = path.join(sandbox.home, 'editor.sh');
    // Waits for a line typed on the terminal: only possible when mai has left raw mode.
    await writeFile(editor, '#!/bin/sh\necho "EDITOR HAS THE SCREEN"\nread answer < /dev/tty\nprintf "%s, edited: %s" "$(cat "$1")" "$answer" > "$1"\n');
    await chmod(editor, 0o755);
    const session = await openMai([], {EDITOR: editor, VISUAL: ''});
    const {child, terminal, waitFor, waitUntil, screen} = session;
    await waitFor('● mai-demo-small');
    await typeText(session, 'draft');
    child.stdin.write('\x18');
    child.stdin.write('\x05');
    await waitUntil('the editor on the main screen', () => terminal.buffer.active.type === 'normal' && screen().includes('EDITOR HAS THE SCREEN'));
    expect(terminal.modes.mouseTrackingMode).toBe('none');
    child.stdin.write('yes\r');
    await waitUntil('the chat back with the edited message', () => terminal.buffer.active.type === 'alternate' && screen().includes('> draft, edited: yes'));
    expect(terminal.modes.mouseTrackingMode).toBe('vt200');
    // The whole frame is drawn again, not only the composer.
    expect(screen().split('\n')[0]).toMatch(/^┌ chat ─+┐/);
  });
});
