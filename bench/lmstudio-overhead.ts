import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import {LMStudioAdapter} from '../src/backends/lmstudio/lmstudio-adapter.js';
import {LMStudioEmulator} from '../test/support/lmstudio-emulator.js';
import {closedPortUrl} from '../test/support/isolated-home.js';
import {compareReplies, startServerChild} from './backend-comparison.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {int, ms, times} from './figures.js';

// What the LM Studio path costs: reply tokens/s through the LM Studio adapter (the real
// @lmstudio/sdk client, a WebSocket, our emulator of LM Studio's protocol in a process of its own,
// as LM Studio would be) against the embedded backend called directly, on the same engine and the
// same demo models, in one run. Also: what a missing LM Studio costs at start-up.

export type LMStudioRow = {
  model: string;
  directTokensPerSecond: number;
  viaLMStudioTokensPerSecond: number;
  ratio: number;
  directTimeToFirstTokenMs: number;
  viaLMStudioTimeToFirstTokenMs: number;
};

export type LMStudioStartRow = {
  /** LM Studio not running: one refused greeting probe (median). */
  notRunningProbeMs: number;
  /** LM Studio there, first contact: probe, importing the SDK, authenticating, its version. */
  firstConnectMs: number;
};

const REPLIES = 15;

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function measureLMStudioOverhead(threads: number, replies = REPLIES): Promise<LMStudioRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const direct = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 256, temperature: 0.7});
  const emulator = await startServerChild(EMULATOR_MAIN, ['--port', '0', '--models-dir', dir], 'the emulator');
  const viaLMStudio = new LMStudioAdapter({url: emulator.url, maxTokens: 256, temperature: 0.7});
  await direct.listModels();
  const rows: LMStudioRow[] = [];
  try {
    for (const spec of DEMO_MODELS) {
      const {direct: x, other: y} = await compareReplies(direct, viaLMStudio, spec, replies);
      rows.push({
        model: spec.name,
        directTokensPerSecond: round(x.tokensPerSecond),
        viaLMStudioTokensPerSecond: round(y.tokensPerSecond),
        ratio: round(y.tokensPerSecond / x.tokensPerSecond, 2),
        directTimeToFirstTokenMs: round(x.ttftMs, 1),
        viaLMStudioTimeToFirstTokenMs: round(y.ttftMs, 1),
      });
    }
  } finally {
    await viaLMStudio.dispose();
    await direct.dispose();
    emulator.stop();
  }
  return rows;
}

const EMULATOR_MAIN = fileURLToPath(new URL('../test/support/lmstudio-emulator-main.js', import.meta.url));

export async function measureLMStudioStart(): Promise<LMStudioStartRow> {
  const closed = await closedPortUrl();
  const probes: number[] = [];
  for (let i = 0; i < 21; i++) {
    const adapter = new LMStudioAdapter({url: closed, maxTokens: 1, temperature: 0});
    const started = performance.now();
    await adapter.available();
    probes.push(performance.now() - started);
    await adapter.dispose();
  }
  probes.sort((a, b) => a - b);
  const emulator = await LMStudioEmulator.start({modelsDir: path.join(os.tmpdir(), 'mai-bench-models')});
  const adapter = new LMStudioAdapter({url: emulator.url, maxTokens: 1, temperature: 0});
  const started = performance.now();
  await adapter.available();
  const firstConnectMs = performance.now() - started;
  await adapter.dispose();
  await emulator.close();
  return {notRunningProbeMs: round(probes[Math.floor(probes.length / 2)] ?? 0, 1), firstConnectMs: round(firstConnectMs, 1)};
}

/** The LM Studio path's goal: its decode speed within 10 % of the embedded backend's (the noise seen here). */
const LMSTUDIO_MIN_RATIO = 0.9;

/** Suite rows: reply speed through LM Studio's path ÷ the embedded backend; quick runs 3 replies each. */
export async function benchLMStudioOverhead(options: BenchOptions & {threads: number}): Promise<BenchRow[]> {
  const rows = await measureLMStudioOverhead(options.threads, options.quick ? 3 : REPLIES);
  return rows.map((row) => ({
    id: 'LMS',
    name: `LM Studio path ÷ direct tokens/s, ${row.model}`,
    goal: `≥ ${LMSTUDIO_MIN_RATIO.toFixed(2)}×`,
    figure: `${times(row.ratio)} (${int(row.viaLMStudioTokensPerSecond)} vs ${int(row.directTokensPerSecond)} tok/s; TTFT ${ms(row.viaLMStudioTimeToFirstTokenMs)} vs ${ms(row.directTimeToFirstTokenMs)})`,
    met: row.ratio >= LMSTUDIO_MIN_RATIO,
    values: row,
  }));
}

/** Suite row: what LM Studio costs at start-up, missing and present (context: no goal). */
export async function benchLMStudioStart(_options: BenchOptions): Promise<BenchRow[]> {
  const row = await measureLMStudioStart();
  return [
    {
      id: 'LMS',
      name: 'LM Studio at start-up: missing (refused probe) / first contact',
      goal: '',
      figure: `${ms(row.notRunningProbeMs)} / ${ms(row.firstConnectMs)}`,
      met: null,
      values: row,
    },
  ];
}
