import {spawn} from 'node:child_process';
import type {ModelBackend, ModelHandle} from '../src/backends/backend.js';
import type {DEMO_MODELS} from '../src/backends/embedded/demo-models.js';

// Replies through another path (LM Studio's protocol, an OpenAI-compatible server) against the
// embedded backend on the same demo model, and the protocol server run as a child process: what
// the LM Studio and OpenAI overhead benchmarks share.

type Timing = {tokens: number; decodeMs: number; ttftMs: number};
export type ReplySpeed = {readonly tokensPerSecond: number; readonly ttftMs: number};

const MAX_TOKENS = 256;

async function reply(backend: ModelBackend, handle: ModelHandle, question: string): Promise<Timing> {
  const started = performance.now();
  let first = 0;
  const result = await backend.respond(handle, [{role: 'user', content: question}], {
    maxTokens: MAX_TOKENS,
    onText: () => {
      if (!first) first = performance.now();
    },
  });
  return {tokens: result.stats.tokensOut, decodeMs: performance.now() - first, ttftMs: first - started};
}

/** Decode speed over all replies (the first token excluded) and the median time to first token. */
function summarize(timings: readonly Timing[]): ReplySpeed {
  const tokens = timings.reduce((sum, t) => sum + t.tokens - 1, 0);
  const ms = timings.reduce((sum, t) => sum + t.decodeMs, 0);
  const ttft = [...timings].map((t) => t.ttftMs).sort((a, b) => a - b)[Math.floor(timings.length / 2)] ?? 0;
  return {tokensPerSecond: (tokens / ms) * 1000, ttftMs: ttft};
}

/**
 * Loads `spec` on both backends, warms both up (a server may load on its first request), then asks
 * each `replies` questions, alternated so that whatever else the machine does slows both alike.
 */
export async function compareReplies(
  direct: ModelBackend,
  other: ModelBackend,
  spec: (typeof DEMO_MODELS)[number],
  replies: number,
): Promise<{readonly direct: ReplySpeed; readonly other: ReplySpeed}> {
  const directHandle = await direct.load(spec.name, {contextLength: spec.contextLength});
  const otherHandle = await other.load(spec.name, {contextLength: spec.contextLength});
  await reply(direct, directHandle, 'warm up');
  await reply(other, otherHandle, 'warm up');
  const a: Timing[] = [];
  const b: Timing[] = [];
  for (let i = 0; i < replies; i++) {
    a.push(await reply(direct, directHandle, `question ${i}`));
    b.push(await reply(other, otherHandle, `question ${i}`));
  }
  await direct.unload(directHandle);
  await other.unload(otherHandle);
  return {direct: summarize(a), other: summarize(b)};
}

/**
 * A protocol server (`main`, a test/support program) in a child process; resolves with the address
 * it prints on stderr once it listens (`listening on <url>`).
 */
export function startServerChild(main: string, args: readonly string[], what: string): Promise<{url: string; stop: () => void}> {
  const child = spawn(process.execPath, [main, ...args], {stdio: ['ignore', 'ignore', 'pipe']});
  return new Promise((resolve, reject) => {
    let said = '';
    child.stderr.on('data', (data: Buffer) => {
      said += data.toString();
      const url = /listening on ((?:ws|http):\/\/\S+)/.exec(said)?.[1];
      if (url) resolve({url, stop: () => child.kill('SIGTERM')});
    });
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${said}`)));
  });
}
