import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import {OpenAIBackend} from '../src/backends/openai/openai-backend.js';
import {compareReplies, startServerChild} from './backend-comparison.js';
import type {BenchOptions, BenchRow} from './bench-row.js';

// What the OpenAI-compatible path costs (issue 12): reply tokens/s through the OpenAI backend (the
// official openai client, HTTP and SSE over loopback, the OpenAI test server in a process of its
// own, as a host would be) against the embedded backend called directly, on the same engine, the
// same demo models and the same settings, in one run; and the time to first token the path adds.
// Both run on this machine, so the figures are the protocol's cost alone, not a network's.

const THREADS = 1;
const MAX_TOKENS = 256;

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Tokens/s ratio goal: the path may cost a tenth of the engine's speed on the fastest demo model. */
const RATIO_GOAL = 0.9;
/** TTFT goal on loopback: one HTTP request and the first SSE event. */
const TTFT_ADDED_GOAL_MS = 10;

export async function measureOpenAIOverhead(options: BenchOptions): Promise<BenchRow[]> {
  const replies = options.quick ? 5 : 15;
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const direct = new EmbeddedBackend({modelDirs: [dir], threads: THREADS, gpu: false, maxTokens: MAX_TOKENS, temperature: 0.7});
  const server = await startServerChild(SERVER_MAIN, ['--port', '0', '--models-dir', dir, '--threads', String(THREADS)], 'the OpenAI test server');
  const viaOpenAI = new OpenAIBackend({id: 'openai:bench', host: 'bench', baseURL: server.url, maxTokens: MAX_TOKENS, temperature: 0.7});
  await direct.listModels();
  const rows: BenchRow[] = [];
  try {
    for (const spec of DEMO_MODELS) {
      const {direct: x, other: y} = await compareReplies(direct, viaOpenAI, spec, replies);
      const ratio = y.tokensPerSecond / x.tokensPerSecond;
      const addedMs = y.ttftMs - x.ttftMs;
      const ttftRatio = y.ttftMs / x.ttftMs;
      const values = {
        model: spec.name,
        replies,
        directTokensPerSecond: round(x.tokensPerSecond),
        viaOpenAITokensPerSecond: round(y.tokensPerSecond),
        ratio: round(ratio, 2),
        directTimeToFirstTokenMs: round(x.ttftMs, 1),
        viaOpenAITimeToFirstTokenMs: round(y.ttftMs, 1),
        addedTimeToFirstTokenMs: round(addedMs, 1),
        ttftRatio: round(ttftRatio, 2),
      };
      rows.push({
        id: 'H1',
        name: `OpenAI path tok/s ÷ embedded, ${spec.name}`,
        goal: `≥ ${RATIO_GOAL}×`,
        figure: `${round(ratio, 2)}× (${round(y.tokensPerSecond)} vs ${round(x.tokensPerSecond)} tok/s)`,
        met: ratio >= RATIO_GOAL,
        values,
      });
      rows.push({
        id: 'H2',
        name: `OpenAI path time to first token added, ${spec.name}`,
        goal: `< ${TTFT_ADDED_GOAL_MS} ms added on loopback`,
        figure: `+${round(addedMs, 1)} ms, ${round(ttftRatio, 2)}× (${round(y.ttftMs, 1)} vs ${round(x.ttftMs, 1)} ms)`,
        met: addedMs < TTFT_ADDED_GOAL_MS,
        values,
      });
    }
  } finally {
    await viaOpenAI.dispose();
    await direct.dispose();
    server.stop();
  }
  return rows;
}

const SERVER_MAIN = fileURLToPath(new URL('../test/support/openai-server-main.js', import.meta.url));
