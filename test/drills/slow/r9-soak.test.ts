import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {describe, expect, it, vi} from 'vitest';
import {replayConversation} from '../../../src/conversation/conversation-events.js';
import {chatApps} from '../../support/chat-apps.js';
import {words} from '../../support/chat-screen.js';
import {KEYS} from '../../support/ink-keys.js';
import {keyToFrame, median} from '../../support/key-to-frame.js';
import {waitFor} from '../../support/wait-for.js';
import {FIGURE} from '../drill-list.js';

// R9 (issue 13): a 1,000-message soak through the TUI. The real Mai and the real App in this
// process (chat-apps.ts), so this process's RSS is the UI's: the engine runs in its own child.
// 500 messages are typed a key at a time and sent with Enter, each answered by the small demo
// model; after a warm-up of the first 100 messages, every 100 messages the RSS is read after a
// full GC (gc() reached through v8.setFlagsFromString, so the worker needs no --expose-gc), and
// every key's time to the frame that shows it is kept. Slow (minutes): it runs in
// `npm run drills`, not in every `npm test`.

// The UI as users run it: `mai chat` loads React's production build (src/cli/chat.ts), and the
// development build vitest would load records every render for its tools. Set before React is
// imported, in this file's own worker.
vi.hoisted(() => {
  process.env.NODE_ENV = 'production';
});

const EXCHANGES = 500;
const WARM_UP = 50;
const WINDOW = 50;
/** The issue's bound on RSS growth after warm-up. */
const RSS_GROWTH_LIMIT = 0.05;
// Frame time "flat": the last window's median key → frame within 1.5× the first's. Generous
// because the machine is shared (another process's burst moves a median by tens of percent),
// yet a render that grows with the conversation (every message re-wrapped per key) would pass
// 1.5× long before 1,000 messages.
const FRAME_TIME_FACTOR = 1.5;

// Replies kept short (the demo model says its one answer; 8 tokens of it are enough) so that the
// 500 replies take a few minutes on two cores; temperature 0 for the same words every time.
const CONFIG = ['engine:', '  max_tokens: 8', '  temperature: 0', ''].join('\n');

/** A full GC, without starting the worker with --expose-gc: the flag set now, `gc` taken from a fresh context. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}

type Sample = {readonly messages: number; readonly rssBytes: number; readonly heapUsedBytes: number};

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// RSS read right after a GC swings by tens of MB: V8 hands the freed pages back to the system
// from a background thread. Two collections with a pause after each let it finish, and the
// figure settles to within a fraction of a MB from one sample to the next.
async function sampleMemory(messages: number): Promise<Sample> {
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await pause(300);
  }
  const {rss, heapUsed} = process.memoryUsage();
  return {messages, rssBytes: rss, heapUsedBytes: heapUsed};
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

const apps = chatApps();

describe('R9: 1,000-message soak through the TUI', () => {
  it(
    `1,000 messages typed and answered: RSS grows < ${RSS_GROWTH_LIMIT * 100} % after warm-up, key → frame stays flat, nothing lost`,
    async ({annotate}) => {
      const started = performance.now();
      const app = await apps.start(['demo-small'], {
        prepare: async (sandbox) => {
          const dir = path.join(sandbox.env.XDG_CONFIG_HOME ?? '', 'mai');
          await mkdir(dir, {recursive: true, mode: 0o700});
          await writeFile(path.join(dir, 'models.yaml'), CONFIG, {mode: 0o600});
        },
      });
      const {stdin, stdout, frame, mai} = app;
      await waitFor(() => frame().includes('● mai-demo-small'), {timeoutMs: 60_000, detail: frame});
      // ink-testing-library's stdout, as it is: the frames written, and where Ink writes them.
      const screenLog = stdout as unknown as {frames: string[]; write: (frame: string) => void};
      const clock = keyToFrame(stdin, screenLog);
      const keyTimes: number[][] = [];
      const samples: Sample[] = [];
      try {
        for (let exchange = 1; exchange <= EXCHANGES; exchange++) {
          const text = `soak message ${exchange}`;
          const times: number[] = [];
          for (let i = 1; i <= text.length; i++) {
            const typed = text.slice(0, i);
            times.push(await clock.time(text[i - 1] as string, (shown) => shown.includes(`│ > ${typed}`)));
          }
          (keyTimes[Math.floor((exchange - 1) / WINDOW)] ??= []).push(...times);
          stdin.write(KEYS.enter);
          await waitFor(
            () => {
              const history = mai.getConversationHistory();
              return history.length === exchange * 2 && history.at(-1)?.role === 'assistant' && !mai.store.getState().chat.busy;
            },
            {what: `the reply to message ${exchange}`, timeoutMs: 60_000, detail: frame},
          );
          // ink-testing-library keeps every frame ever written (about 20 an exchange, a screenful
          // each): the test's memory, not the UI's. The last frame is kept apart, for frame().
          screenLog.frames.length = 0;
          if (exchange >= WARM_UP && exchange % WINDOW === 0) samples.push(await sampleMemory(exchange * 2));
        }
      } finally {
        clock.stop();
      }
      const runSeconds = (performance.now() - started) / 1000;

      // Nothing lost: the file holds every message, in order, and the screen the last exchange.
      const history = mai.getConversationHistory();
      expect(history).toHaveLength(EXCHANGES * 2);
      const file = path.join(app.sandbox.env.XDG_STATE_HOME ?? '', 'mai', 'conversations', `${mai.conversationId ?? ''}.jsonl`);
      const saved = replayConversation(await readFile(file, 'utf8'));
      expect(saved.messages).toHaveLength(EXCHANGES * 2);
      expect(saved.messages.filter((message) => message.role === 'user').map((message) => message.text)).toEqual(
        Array.from({length: EXCHANGES}, (_, i) => `soak message ${i + 1}`),
      );
      expect(saved.messages.every((message, i) => message.role === (i % 2 === 0 ? 'user' : 'assistant') && message.text.length > 0)).toBe(true);
      const lastReply = history.at(-1)?.text;
      await waitFor(() => words(lastReply).test(frame()) && frame().includes(`soak message ${EXCHANGES}`), {what: 'the last exchange on screen', detail: frame});

      const first = samples[0] as Sample;
      const last = samples.at(-1) as Sample;
      const growth = (last.rssBytes - first.rssBytes) / first.rssBytes;
      // The first window after warm-up against the last.
      const firstFrames = median(keyTimes[WARM_UP / WINDOW] ?? []);
      const lastFrames = median(keyTimes.at(-1) ?? []);
      const figures = [
        `R9 soak: ${EXCHANGES * 2} messages in ${runSeconds.toFixed(0)} s`,
        `RSS after GC: ${mb(first.rssBytes)} at ${first.messages} messages, ${mb(last.rssBytes)} at ${last.messages} (${(growth * 100).toFixed(2)} %)`,
        `heap used after GC: ${mb(first.heapUsedBytes)} → ${mb(last.heapUsedBytes)}`,
        `RSS by messages: ${samples.map((sample) => `${sample.messages}: ${mb(sample.rssBytes)}`).join(', ')}`,
        `key → frame median: ${firstFrames.toFixed(2)} ms (messages ${WARM_UP * 2 + 1}–${(WARM_UP + WINDOW) * 2}) → ${lastFrames.toFixed(2)} ms (last ${WINDOW * 2}); per window: ${keyTimes.map((times) => median(times).toFixed(2)).join(', ')}`,
      ];
      process.stdout.write(`\n${figures.join('\n')}\n`);
      await annotate(`RSS ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % (${mb(first.rssBytes)} → ${mb(last.rssBytes)}), key → frame ${firstFrames.toFixed(1)} → ${lastFrames.toFixed(1)} ms, ${runSeconds.toFixed(0)} s`, FIGURE);
      expect(growth, figures.join('\n')).toBeLessThan(RSS_GROWTH_LIMIT);
      expect(lastFrames, figures.join('\n')).toBeLessThan(firstFrames * FRAME_TIME_FACTOR);
    },
    // A bound for a broken run; the soak takes minutes.
    1_800_000,
  );
});
