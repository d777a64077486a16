import {Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {render} from 'ink';
import {createElement} from 'react';
import {App} from '../components/App.js';
import {ScreenWriter} from '../components/screen-writer.js';
import type {MaiCommands} from '../src/commands.js';
import {createMaiStore, emptyHostResources, LOCAL_HOST} from '../src/store.js';
import type {BenchOptions, BenchRow} from './bench-row.js';

// Bytes written to the terminal per streamed frame: the real App on a store whose streaming reply
// grows by a few tokens (a frame's worth at 33 ms) 30 times, on a 120×40 screen, drawn three ways: mai's (Ink in debug mode into
// the screen writer, which rewrites the rows that changed), Ink's standard redraw (a frame as tall
// as the terminal is cleared and rewritten whole) and Ink 6.8's incremental mode. Nothing reaches a
// real terminal: each writes into a counting stream that says it is a 120×40 TTY.

const COLUMNS = 120;
const ROWS = 40;
const UPDATES = 30;
const GiB = 1024 ** 3;
const SENTENCE = 'Streaming costs what changes on the screen, not the whole frame. ';
const TOKENS = SENTENCE.split(/(?<= )/);

const commands: MaiCommands = {send: () => {}, stop: () => {}, cycleModel: () => {}, quit: () => {}, toggleAutoSwitch: () => {}, pickModel: () => {}, listConversations: () => Promise.resolve([]), resumeConversation: () => {}};

class CountingTerminal extends Writable {
  bytes = 0;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  readonly isTTY = true;
  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += Buffer.byteLength(chunk);
    done();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Way = 'mai' | 'standard' | 'incremental';

async function bytesPerFrame(way: Way): Promise<number> {
  const store = createMaiStore();
  const s = store.getState();
  s.setHostResources(LOCAL_HOST, {
    ...emptyHostResources(),
    cpu: {totalPct: 37, perCorePct: [37]},
    memory: {totalBytes: 24 * GiB, availableBytes: 12 * GiB, usedBytes: 12 * GiB, swapTotalBytes: 0, swapUsedBytes: 0},
    gpus: [],
  });
  for (let i = 0; i < 20; i++) s.addMessage({id: `m${i}`, role: i % 2 ? 'assistant' : 'user', model: 'mai-demo-small', text: `${SENTENCE}(${i})`, at: i});
  s.startStreaming({id: 'r', model: 'mai-demo-small', text: ''});
  const terminal = new CountingTerminal();
  const screen = way === 'mai' ? new ScreenWriter(terminal as unknown as NodeJS.WriteStream) : null;
  const instance = render(createElement(App, {store, commands}), {
    stdout: (screen ?? terminal) as unknown as NodeJS.WriteStream,
    debug: way === 'mai',
    incrementalRendering: way === 'incremental',
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // Past Ink's render throttle (32 ms) and the screen writer's coalescing (16 ms): one frame each.
  await pause(100);
  const before = terminal.bytes;
  let text = '';
  for (let i = 0; i < UPDATES; i++) {
    text += TOKENS[i % TOKENS.length] as string;
    s.setStreamingText(text);
    await pause(60);
  }
  const bytes = terminal.bytes - before;
  instance.unmount();
  screen?.detach();
  return bytes / UPDATES;
}

export async function measureFrameBytes(_options: BenchOptions): Promise<BenchRow[]> {
  const mai = await bytesPerFrame('mai');
  const standard = await bytesPerFrame('standard');
  const incremental = await bytesPerFrame('incremental');
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    {
      id: 'P2',
      name: `bytes per streamed frame, ${COLUMNS}×${ROWS}, ${UPDATES} updates`,
      goal: 'less than Ink redrawing the frame',
      figure: `${(standard / mai).toFixed(1)}× fewer (${kb(mai)} vs Ink's standard ${kb(standard)}; incremental ${kb(incremental)})`,
      met: mai < standard,
      values: {maiBytes: mai, inkStandardBytes: standard, inkIncrementalBytes: incremental},
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await measureFrameBytes({quick: process.argv.includes('--quick')}));
  process.exit(0);
}
