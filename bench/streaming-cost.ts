import {execFile} from 'node:child_process';
import {PassThrough, Writable} from 'node:stream';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import type {BenchOptions, BenchRow} from './bench-row.js';

// P2 (issue 11): what streaming costs the UI process, CPU time ÷ wall time, while a reply streams at
// 50 and at 1,000 tokens/s: mai's App (the store fed through the ReplyBuffer that Mai uses, Ink in
// debug mode into the screen writer) against a naive Ink chat (bench/naive-ink-chat.tsx: a state
// update and a whole re-render per token, Ink's standard redraw). Each runs alone in a child
// process that writes its frames into a stream that says it is a 120×40 terminal; the tokens are
// replayed by a timer, as they arrive from an engine: one wake-up per token up to 100 tokens/s, ticks
// of 10 ms above. Goal: at least 5× less CPU than the naive chat, at most 5 % of a core at 50.
// Measured over the first `seconds` of the process's first reply (the goal's figure: the JIT is still
// compiling the UI's hot code), then over as many seconds more (a reply once the UI is warm).

const SELF = fileURLToPath(import.meta.url);
const COLUMNS = 120;
const ROWS = 40;
const HISTORY = 200;
const TOKEN_WORDS = 'Streaming should cost what changes on the screen and nothing more than that'.split(' ');

type Ui = 'mai' | 'naive';
type Cost = {readonly cpuPct: number; readonly warmCpuPct: number; readonly frames: number};

class NullTerminal extends Writable {
  writes = 0;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  readonly isTTY = true;
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    this.writes += 1;
    done();
  }
}

/** A keyboard nobody types on, in raw mode as a terminal's would be (useInput asks for it). */
function idleKeyboard(): NodeJS.ReadStream {
  return Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {}}) as unknown as NodeJS.ReadStream;
}

/** In the child: streams for twice `seconds` at `rate` tokens/s, prints {cpuPct, warmCpuPct, frames}. */
async function child(ui: Ui, rate: number, seconds: number): Promise<void> {
  const [{render}, {createElement}] = await Promise.all([import('ink'), import('react')]);
  const terminal = new NullTerminal();
  const history = Array.from({length: HISTORY}, (_, i) => `message ${i}: ${TOKEN_WORDS.join(' ')}`);
  const listeners = new Set<(token: string) => void>();
  let unmount: () => void;
  if (ui === 'mai') {
    const [{App}, {ScreenWriter}, {createMaiStore}, {ReplyBuffer}, {shareInkFrameCaches}] = await Promise.all([
      import('../components/App.js'),
      import('../components/screen-writer.js'),
      import('../src/store.js'),
      import('../src/util/reply-buffer.js'),
      import('../components/ink/frame-caches.js'),
    ]);
    // As runTui does for the chat.
    shareInkFrameCaches();
    const store = createMaiStore();
    history.forEach((text, i) => store.getState().addMessage({id: `m${i}`, role: i % 2 ? 'assistant' : 'user', model: 'm', text, at: i}));
    store.getState().startStreaming({id: 'r', model: 'm', text: ''});
    const buffer = new ReplyBuffer((text) => store.getState().setStreamingText(text));
    listeners.add((token) => buffer.append(token));
    const screen = new ScreenWriter(terminal as unknown as NodeJS.WriteStream);
    const commands = {send: () => {}, stop: () => {}, cycleModel: () => {}, quit: () => {}, toggleAutoSwitch: () => {}, pickModel: () => {}, listConversations: () => Promise.resolve([]), resumeConversation: () => {}};
    const instance = render(createElement(App, {store, commands}), {stdout: screen as unknown as NodeJS.WriteStream, stdin: idleKeyboard(), debug: true, exitOnCtrlC: false, patchConsole: false});
    unmount = () => instance.unmount();
  } else {
    const {NaiveChat} = await import('./naive-ink-chat.js');
    const tokens = (listener: (token: string) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
    const instance = render(createElement(NaiveChat, {history, tokens}), {stdout: terminal as unknown as NodeJS.WriteStream, stdin: idleKeyboard(), exitOnCtrlC: false, patchConsole: false});
    unmount = () => instance.unmount();
  }
  // A token per tick up to 100 tokens/s; above, ticks of 10 ms (a timer cannot fire every
  // millisecond), rate/100 tokens each. A tick with no token due would be a wake-up the UI process
  // never has: here a wake-up alone costs ~0.1 ms of CPU.
  let sent = 0;
  const startedAt = performance.now();
  const emit = () => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * rate);
    for (; sent < due; sent++) for (const listener of listeners) listener(`${TOKEN_WORDS[sent % TOKEN_WORDS.length]} `);
  };
  const ticker = setInterval(emit, Math.max(10, 1000 / rate));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const measureWindow = async () => {
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const writesBefore = terminal.writes;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu = process.cpuUsage(cpuBefore);
    return {cpuPct: ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100, frames: terminal.writes - writesBefore};
  };
  const first = await measureWindow();
  const warm = await measureWindow();
  clearInterval(ticker);
  unmount();
  process.stdout.write(JSON.stringify({cpuPct: first.cpuPct, warmCpuPct: warm.cpuPct, frames: first.frames}));
  process.exit(0);
}

async function measure(ui: Ui, rate: number, seconds: number): Promise<Cost> {
  // Both UIs on Ink as the bundled \`mai\` has it (scripts/ink-patches.js).
  const hooks = fileURLToPath(new URL('../../scripts/ink-patch-hooks.js', import.meta.url));
  const {stdout} = await promisify(execFile)(process.execPath, ['--import', hooks, SELF, '--child', ui, String(rate), String(seconds)], {
    env: {...process.env, NODE_ENV: 'production'},
  });
  return JSON.parse(stdout) as Cost;
}

export async function measureStreamingCost({quick}: BenchOptions): Promise<BenchRow[]> {
  const seconds = quick ? 5 : 15;
  const rows: BenchRow[] = [];
  for (const rate of [50, 1000]) {
    const mai = await measure('mai', rate, seconds);
    const naive = await measure('naive', rate, seconds);
    const ratio = naive.cpuPct / mai.cpuPct;
    const goalMet = ratio >= 5 && (rate !== 50 || mai.cpuPct <= 5);
    rows.push({
      id: 'P2',
      name: `streaming at ${rate.toLocaleString('en-US')} tokens/s, UI CPU ÷ wall`,
      goal: rate === 50 ? '≥ 5× less than a naive Ink chat, ≤ 5 % of a core' : '≥ 5× less than a naive Ink chat',
      figure:
        `${ratio.toFixed(1)}× less (${mai.cpuPct.toFixed(1)} % vs ${naive.cpuPct.toFixed(1)} % of a core; ${mai.frames} vs ${naive.frames} writes; ` +
        `warm: ${mai.warmCpuPct.toFixed(1)} % vs ${naive.warmCpuPct.toFixed(1)} %)`,
      met: goalMet,
      values: {rate, maiCpuPct: mai.cpuPct, naiveCpuPct: naive.cpuPct, ratio, maiWarmCpuPct: mai.warmCpuPct, naiveWarmCpuPct: naive.warmCpuPct, maiWrites: mai.frames, naiveWrites: naive.frames, seconds},
    });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--child');
  if (at > 0) await child(process.argv[at + 1] as Ui, Number(process.argv[at + 2]), Number(process.argv[at + 3]));
  else console.table(await measureStreamingCost({quick: process.argv.includes('--quick')}));
}
