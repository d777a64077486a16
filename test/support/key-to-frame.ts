import {performance} from 'node:perf_hooks';
import stripAnsi from 'strip-ansi';
import {settle} from './ink-keys.js';

// Key → frame on the in-process TUI (ink-testing-library): the time from writing a key to stdin
// until Ink writes the first frame that shows what it did. Ink renders in debug mode there, so
// every render is one whole frame written to stdout; the clock reads at the write, before the
// frame is inspected, so checking the frame costs nothing on the figure.

type FrameSink = {write: (frame: string) => void};
type KeySource = {readonly write: (data: string) => void};

export type KeyToFrame = {
  /** Writes `key` and resolves with the milliseconds until a frame satisfies `shows`. */
  time(key: string, shows: (frame: string) => boolean): Promise<number>;
  /** Puts Ink's stdout back as it was. */
  stop(): void;
};

/** Frames slower than this mean a broken run (a key lost), not a slow one. */
const GIVE_UP_MS = 30_000;

export function keyToFrame(stdin: KeySource, stdout: FrameSink): KeyToFrame {
  const write = stdout.write;
  let waiting: {readonly shows: (frame: string) => boolean; readonly done: (at: number) => void} | null = null;
  stdout.write = (frame: string) => {
    const at = performance.now();
    write(frame);
    if (waiting?.shows(stripAnsi(frame))) {
      waiting.done(at);
      waiting = null;
    }
  };
  return {
    async time(key, shows) {
      const shown = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = null;
          reject(new Error(`no frame showed key ${JSON.stringify(key)} within ${GIVE_UP_MS} ms`));
        }, GIVE_UP_MS);
        waiting = {
          shows,
          done: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        };
      });
      const start = performance.now();
      stdin.write(key);
      const at = await shown;
      // Ink re-attaches its input listener after a render: the next key waits for it (untimed).
      await settle();
      return at - start;
    },
    stop() {
      stdout.write = write;
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
