import {describe, expect, it} from 'vitest';
import {TEST_MODELS} from '../support/models.js';
import {descendantCommands} from '../support/processes.js';
import {maiTerminals} from '../support/pty-terminal.js';

// R8 (issues 11 and 13), the keys half: bursts of keys in one write to the real `mai chat` in a
// pseudo-terminal, as tmux send-keys, key repeat or ssh deliver them (many keys in one read).
// Every key must count. The manager half (100 switch requests straight to Mai) is in
// test/manager/autopilot.test.ts.

const terminals = maiTerminals();

/**
 * What the composer box (the last box on screen, above the status bar) holds: its rows joined,
 * without the prompt ("> ") on the first and the indent under it on the others.
 */
function composerText(screen: string): string {
  const rows = screen.split('\n');
  const top = rows.findLastIndex((row) => row.startsWith('┌─'));
  const bottom = rows.findLastIndex((row) => row.startsWith('└─'));
  return rows
    .slice(top + 1, bottom)
    .map((row) => row.replace(/^│ (?:> | {2})/, '').replace(/\s*│$/, ''))
    .join('');
}

/** The models panel's keys, top to bottom, and the current one (●). */
function panelModels(screen: string): {readonly order: readonly string[]; readonly current: string | undefined} {
  const rows = [...screen.matchAll(/│ ([●○]) ([\w.-]+)\s+│$/gm)];
  return {order: rows.map((row) => row[2] as string), current: rows.find((row) => row[1] === '●')?.[2]};
}

describe('a burst of keys in one write', () => {
  it('R8: 100 printable keys in one write → the composer holds all 100, in order', async () => {
    const {child, waitFor, waitUntil, screen} = await terminals.open(['demo-small']);
    await waitFor('● mai-demo-small');
    // Twenty numbered groups: a key lost, doubled or moved changes the text.
    const keys = Array.from({length: 20}, (_, i) => `${String(i).padStart(2, '0')}abc`).join('');
    expect(keys).toHaveLength(100);
    child.stdin.write(keys);
    await waitUntil('the 100 keys in the composer', () => composerText(screen()).includes('19abc'));
    expect(composerText(screen())).toBe(keys);
  });

  it('R8: 100 Ctrl+N in one write → the model 100 steps on is current, and no engine process is left behind', async () => {
    // Six models: 100 steps land four on, where a burst taken as one key (or none) lands one on (or stays).
    const session = await terminals.open(['demo-small', 'demo-medium', 'demo-large', 'tiny', 'slow', 'small-context']);
    const {child, waitFor, waitUntil, screen, maiPid} = session;
    await waitFor(/model \S+ · .* loaded \S+: ready for a first message/);
    const {order, current} = panelModels(screen());
    expect(order).toHaveLength(6);
    const start = order.indexOf(current ?? '');
    expect(start).toBeGreaterThanOrEqual(0);
    const last = order[(start + 100) % order.length] as string;

    child.stdin.write('\x0e'.repeat(100));
    // Switches land one after another; the last requested one is where it settles.
    await waitUntil(`${last} current`, () => panelModels(screen()).current === last && new RegExp(`^ model ${last} · `, 'm').test(screen()));
    // One engine for the current model and one spare, started after a load for the next switch:
    // anything more is an engine a superseded switch left behind.
    const engines = () => descendantCommands(maiPid()).filter((args) => args.includes('engine-host'));
    await waitUntil('the engines to settle at the current model and the spare', () => engines().length === 2, 30_000).catch(() => {
      throw new Error(`engine processes under mai: ${engines().length} (expected 2: the current model's and the spare)\n${engines().join('\n')}`);
    });

    // The current model is the one that answers.
    child.stdin.write('hi\r');
    const answer = Object.values(TEST_MODELS).find((entry) => entry.fileName === `${last}.gguf`)?.message ?? `no test model named ${last}`;
    await waitFor(answer.split(' ').slice(0, 4).join(' '));
    expect(panelModels(screen()).current).toBe(last);
  });
});
