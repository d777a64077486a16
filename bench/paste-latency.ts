import {render} from 'ink-testing-library';
import {createElement} from 'react';
import {App} from '../components/App.js';
import type {MaiCommands} from '../src/commands.js';
import {createMaiStore} from '../src/store.js';

// A 1 MB bracketed paste into the real App (Ink, mai's key parser, the composer), written as a tty
// delivers it (64 KiB reads), then one typed key. Prints the time until the paste's label is in
// the frame, the time from the key's write until it is in the frame, and the process's heap and
// RSS growth. Goals (issue 11): the key within 100 ms, growth under 3x the paste.
// Run: node --expose-gc --import tsx bench/paste-latency.ts

const PASTE_LINES = 16_000;
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

const gc = (globalThis as {gc?: () => void}).gc ?? (() => {});
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(check: () => boolean): Promise<number> {
  const start = performance.now();
  while (!check()) await tick();
  return performance.now() - start;
}

const instance = render(createElement(App, {store: createMaiStore(), commands}));
await until(() => (instance.lastFrame() ?? '').includes('>'));
// The same key with nothing pasted: Ink's own frame cost on this machine, the baseline.
const baselineStart = performance.now();
instance.stdin.write('y');
await until(() => (instance.lastFrame() ?? '').includes('> y'));
const baselineMs = performance.now() - baselineStart;
instance.stdin.write('\u007f');
await until(() => !(instance.lastFrame() ?? '').includes('> y'));
gc();
const before = process.memoryUsage();

const pasteStart = performance.now();
instance.stdin.write('\u001b[200~');
for (let i = 0; i < pasted.length; i += 65_536) instance.stdin.write(pasted.slice(i, i + 65_536));
instance.stdin.write('\u001b[201~');
await until(() => (instance.lastFrame() ?? '').includes('[pasted 1.0 MB, 16,000 lines]'));
const pasteMs = performance.now() - pasteStart;

const keyStart = performance.now();
instance.stdin.write('x');
await until(() => (instance.lastFrame() ?? '').includes('16,000 lines]x'));
const keyMs = performance.now() - keyStart;

const peak = process.memoryUsage();
gc();
const after = process.memoryUsage();
instance.stdin.write('\r');
await until(() => sent.length === 1);
const MB = 1e6;
const pasteBytes = Buffer.byteLength(pasted);
console.table([
  {
    'paste MB': (pasteBytes / MB).toFixed(2),
    'paste → label ms': pasteMs.toFixed(1),
    'key → frame ms, no paste': baselineMs.toFixed(1),
    'key → frame ms': keyMs.toFixed(1),
    'RSS growth MB': ((peak.rss - before.rss) / MB).toFixed(1),
    'heap growth MB (before GC)': ((peak.heapUsed - before.heapUsed) / MB).toFixed(1),
    'heap growth MB (after GC)': ((after.heapUsed - before.heapUsed) / MB).toFixed(1),
    'sent whole': sent[0] === `${pasted}x`,
  },
]);
instance.unmount();
