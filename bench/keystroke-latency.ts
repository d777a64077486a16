import {fileURLToPath, pathToFileURL} from 'node:url';
import {seedConversation} from '../test/support/seed-conversation.js';
import {createBenchHome, type BenchHome} from './bench-home.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {percentile, TmuxTerminal, waitForQuiet} from './tmux-terminal.js';

// P1 (issue 11): keystroke → frame in a real terminal, with conversations of 2, 1,000 and 5,000
// messages resumed from conversation files, against `cat` typed into the same kind of tmux pane by
// the same loop (the terminal's own cost). One key is sent, and the time runs until tmux has read
// the frame that shows it; then the next key. Goal: p50 under 16 ms above the baseline, and the
// same (±20 %) at 2 and 5,000 messages.

const CLI = fileURLToPath(new URL('../bin/cli.js', import.meta.url));
const COLUMNS = 120;
const ROWS = 40;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** Keys typed before the line is cleared (one composer row at 120 columns). */
const KEYS_PER_LINE = 40;

type Latencies = {readonly p50: number; readonly p95: number; readonly samples: number};

/**
 * Types `keys` keys one at a time into the pane; each waits until the output since the key holds
 * `shown(typed)` (the echo for cat, the composer row for mai). Ctrl+U clears the line (not timed).
 */
async function typeAndTime(terminal: TmuxTerminal, keys: number, shown: (typed: string) => string): Promise<Latencies> {
  const times: number[] = [];
  let typed = '';
  for (let i = 0; i < keys; i++) {
    if (typed.length === KEYS_PER_LINE) {
      terminal.resetOutput();
      terminal.keys('C-u');
      typed = '';
      // The cleared line is drawn (an empty prompt) or, for cat, the kill is silent: wait a little for either.
      await terminal.waitForOutput((out) => out.length > 0, 2000).catch(() => undefined);
    }
    const key = ALPHABET[i % ALPHABET.length] as string;
    typed += key;
    const expected = shown(typed);
    terminal.resetOutput();
    const sent = terminal.type(key);
    const at = await terminal.waitForOutput((out) => out.includes(expected));
    times.push(at - sent);
  }
  return {p50: percentile(times, 50), p95: percentile(times, 95), samples: times.length};
}

async function catBaseline(keys: number): Promise<Latencies> {
  const terminal = await TmuxTerminal.open({columns: COLUMNS, rows: ROWS, command: 'exec cat'});
  try {
    // cat prints nothing until it is typed to, and a key sent before cat has the terminal is lost:
    // a first key, echoed, says the pane is ready (waiting for "any output" failed runs now and then).
    for (let tries = 0; ; tries++) {
      terminal.type('.');
      const echoed = await terminal.waitForOutput((out) => out.includes('.'), 1000).then(
        () => true,
        () => false,
      );
      if (echoed) break;
      if (tries === 20) throw new Error('cat in tmux never echoed a key');
    }
    terminal.resetOutput();
    return await typeAndTime(terminal, keys, (typed) => typed.slice(-1));
  } finally {
    terminal.close();
  }
}

async function maiLatency(home: BenchHome, messages: number, keys: number, quick: boolean): Promise<Latencies> {
  const id = await seedConversation(home.env, messages, 'mai-demo-small');
  const terminal = await TmuxTerminal.open({
    columns: COLUMNS,
    rows: ROWS,
    command: `exec ${process.execPath} ${CLI} chat -c ${home.configPath} --resume ${id}`,
    env: {...home.env, TERM: 'xterm-256color'},
  });
  try {
    // Resumed, and the model loaded (its engine busy no more): the status bar says so.
    await terminal.waitForScreen((screen) => /loaded mai-demo-small|switched to mai-demo-small|mai-demo-small · \d+ tok/.test(screen) || /● mai-demo-small/.test(screen));
    // Then the start's background work (the spare engine, the resumed conversation's token
    // counts, LM Studio's probe) is let finish: what is timed is typing into a settled chat. A
    // resumed conversation of 1,000 messages or more is summarized in the background for minutes
    // (the UI process at 7-15 % of a core meanwhile): the full run waits up to 30 s for it, a
    // quick one 5 s, typing while it goes on.
    await waitForQuiet(terminal.panePid(), 5, 1000, quick ? 5000 : 30_000);
    // The composer row holds the last few characters typed (the cursor cell follows them).
    return await typeAndTime(terminal, keys, (typed) => typed);
  } finally {
    terminal.close();
  }
}

export async function measureKeystrokeLatency({quick}: BenchOptions): Promise<BenchRow[]> {
  const keys = quick ? 40 : 200;
  const home = await createBenchHome(['sample_interval_ms: 1000']);
  try {
    const cat = await catBaseline(keys);
    const rows: BenchRow[] = [];
    const byCount = new Map<number, Latencies>();
    for (const messages of [2, 1000, 5000]) {
      const mai = await maiLatency(home, messages, keys, quick);
      byCount.set(messages, mai);
      const above = mai.p50 - cat.p50;
      rows.push({
        id: 'P1',
        name: `keystroke → frame, ${messages.toLocaleString('en-US')} messages`,
        goal: 'p50 < 16 ms above the tmux baseline',
        figure: `+${above.toFixed(1)} ms (p50 ${mai.p50.toFixed(1)} ms, p95 ${mai.p95.toFixed(1)} ms; cat p50 ${cat.p50.toFixed(1)} ms, p95 ${cat.p95.toFixed(1)} ms)`,
        met: above < 16,
        values: {messages, p50Ms: mai.p50, p95Ms: mai.p95, catP50Ms: cat.p50, catP95Ms: cat.p95, keys: mai.samples},
      });
    }
    const few = byCount.get(2) as Latencies;
    const many = byCount.get(5000) as Latencies;
    const ratio = many.p50 / few.p50;
    rows.push({
      id: 'P1',
      name: 'keystroke → frame, 5,000 ÷ 2 messages',
      goal: 'the same ±20 %',
      figure: `${ratio.toFixed(2)}× (p50 ${many.p50.toFixed(1)} vs ${few.p50.toFixed(1)} ms)`,
      met: ratio >= 0.8 && ratio <= 1.2,
      values: {ratio},
    });
    return rows;
  } finally {
    await home.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await measureKeystrokeLatency({quick: process.argv.includes('--quick')}));
}
