import {render} from 'ink-testing-library';
import {createElement} from 'react';
import {App} from '../components/App.js';
import type {MaiCommands} from '../src/commands.js';
import {createMaiStore} from '../src/store.js';
import type {BenchOptions, BenchRow} from './bench-row.js';

// A 1 MB bracketed paste into the real App (Ink, mai's key parser, the composer), written as a tty
// delivers it (64 KiB reads), then one typed key. Measures the time until the paste's label is in
// the frame, the time from the key's write until it is in the frame, and the process's heap and
// RSS growth. Goals (issue 11): the key within 100 ms, growth under 3x the paste.
// Part of `npm run bench` (`--only paste`); with `node --expose-gc` the heap figure is after a GC.

export type PasteLatency = {
  pasteBytes: number;
  pasteMs: number;
  /** The same key with nothing pasted: Ink's own frame cost on this machine, the baseline. */
  baselineKeyMs: number;
  keyMs: number;
  rssGrowthBytes: number;
  heapGrowthBeforeGcBytes: number;
  heapGrowthAfterGcBytes: number;
  sentWhole: boolean;
};

const PASTE_LINES = 16_000;
const KEY_GOAL_MS = 100;

const gc = (globalThis as {gc?: () => void}).gc ?? (() => {});
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(check: () => boolean): Promise<number> {
  const start = performance.now();
  while (!check()) await tick();
  return performance.now() - start;
}

export async function measurePasteLatency(): Promise<PasteLatency> {
  const pasted = Array.from({length: PASTE_LINES}, (_, i) => `${`pasted line ${i} `.padEnd(63, '.')}\n`).join('');
  const sent: string[] = [];
  const commands: MaiCommands = {
    send: (text) => void sent.push(text),
    stop: () => {},
    cycleModel: () => {},
    quit: () => {},
    toggleAutoSwitch: () => {},
    pickModel: () => {},
    listConversations: () => Promise.resolve([]),
    resumeConversation: () => {},
  };
  const instance = render(createElement(App, {store: createMaiStore(), commands}));
  const frame = () => instance.lastFrame() ?? '';
  try {
    await until(() => frame().includes('>'));
    const baselineStart = performance.now();
    instance.stdin.write('y');
    await until(() => frame().includes('> y'));
    const baselineKeyMs = performance.now() - baselineStart;
    instance.stdin.write('\u007f');
    await until(() => !frame().includes('> y'));
    gc();
    const before = process.memoryUsage();

    const pasteStart = performance.now();
    instance.stdin.write('\u001b[200~');
    for (let i = 0; i < pasted.length; i += 65_536) instance.stdin.write(pasted.slice(i, i + 65_536));
    instance.stdin.write('\u001b[201~');
    await until(() => frame().includes('[pasted 1.0 MB, 16,000 lines]'));
    const pasteMs = performance.now() - pasteStart;

    const keyStart = performance.now();
    instance.stdin.write('x');
    await until(() => frame().includes('16,000 lines]x'));
    const keyMs = performance.now() - keyStart;

    const peak = process.memoryUsage();
    gc();
    const after = process.memoryUsage();
    instance.stdin.write('\r');
    await until(() => sent.length === 1);
    return {
      pasteBytes: Buffer.byteLength(pasted),
      pasteMs,
      baselineKeyMs,
      keyMs,
      rssGrowthBytes: peak.rss - before.rss,
      heapGrowthBeforeGcBytes: peak.heapUsed - before.heapUsed,
      heapGrowthAfterGcBytes: after.heapUsed - before.heapUsed,
      sentWhole: sent[0] === `${pasted}x`,
    };
  } finally {
    instance.unmount();
  }
}

const MB = 1e6;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Suite rows: the next key after a 1 MB paste (goal < 100 ms), and what the paste holds. */
export async function benchPasteLatency(_options: BenchOptions): Promise<BenchRow[]> {
  const result = await measurePasteLatency();
  const growth = result.heapGrowthAfterGcBytes / result.pasteBytes;
  const values = {...result};
  return [
    {
      id: 'R7',
      name: 'key after a 1 MB paste → frame (App in ink-testing-library)',
      goal: `< ${KEY_GOAL_MS} ms`,
      figure: `${ms(result.keyMs)} (no paste: ${ms(result.baselineKeyMs)}; paste → label ${ms(result.pasteMs)})`,
      met: result.keyMs < KEY_GOAL_MS && result.sentWhole,
      values,
    },
    {
      id: 'R7',
      name: 'heap held by a 1 MB paste',
      goal: '< 3× the paste',
      figure: `${growth.toFixed(1)}× (${(result.heapGrowthAfterGcBytes / MB).toFixed(1)} MB for ${(result.pasteBytes / MB).toFixed(2)} MB)`,
      met: growth < 3,
      values,
    },
  ];
}
