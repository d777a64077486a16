import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import type {ModelInfo} from '../src/domain.js';
import {EstimateCorrections, estimatesFile} from '../src/manager/estimate-corrections.js';
import {measuredModelBytes} from '../src/manager/estimate-learning.js';
import {estimateModelBytes, estimateModelPartBytes} from '../src/manager/estimate.js';
import {residentBytes} from '../test/support/processes.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {signedPct} from './figures.js';

// P9 (issue 10): how far the memory estimate of each demo model is from what its engine process
// really holds, before any correction and after one measured load. "Measured" is the engine
// host's RSS after its one-token warm-up (engine-host.ts); the later loads are new processes.
// The RSS right after the load and after a first reply (ps) show how stable that point is.

export type EstimateErrorRow = {
  model: string;
  contextLength: number;
  estimateMB: number;
  measuredMB: number;
  errorBeforePct: number;
  emptyEngineMB: number;
  factor: number;
  correctedMB: number;
  /** Worst error of the corrected estimate against the next loads' measured figures. */
  errorAfterPct: number;
  /** The same for the model's own part (what it adds to the empty engine), where the factor acts. */
  partErrorBeforePct: number;
  partErrorAfterPct: number;
  /** The second load's RSS as ps saw it right after the load resolved, and after a first reply. */
  rssAfterLoadMB: number;
  rssAfterReplyMB: number;
};

const LATER_LOADS = 2;
const MB = 1024 * 1024;

const round1 = (value: number) => Math.round(value * 10) / 10;
const pct = (estimate: number, measured: number) => round1((estimate / measured - 1) * 100);

export async function measureEstimateError(threads: number, laterLoads = LATER_LOADS): Promise<EstimateErrorRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'mai-bench-estimates-'));
  const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 64, temperature: 0});
  const infos = new Map((await backend.listModels()).map((info): [string, ModelInfo] => [info.key, info]));
  const rows: EstimateErrorRow[] = [];
  try {
    for (const spec of DEMO_MODELS) {
      const info = infos.get(spec.name) as ModelInfo;
      const contextLength = spec.contextLength;
      const corrections = await EstimateCorrections.open(estimatesFile(path.join(stateDir, spec.name)));
      const estimate = estimateModelBytes(info, contextLength);

      const handle = await backend.load(spec.name, {contextLength});
      const first = await backend.measureLoad(handle);
      await backend.unload(handle);
      if (!first) throw new Error(`${spec.name}: no measurement`);
      const factor = await corrections.recordLoad(info, first);
      const corrected = estimateModelBytes(info, contextLength, corrections.correctionFor(spec.name));
      const part = estimateModelPartBytes(info, contextLength);
      const correctedPart = part * corrections.factorFor(spec.name);

      let worst = 0;
      let worstPart = 0;
      let rssAfterLoad = 0;
      let rssAfterReply = 0;
      for (let i = 0; i < laterLoads; i++) {
        const again = await backend.load(spec.name, {contextLength});
        if (i === 0) rssAfterLoad = residentBytes(again.pid as number);
        const measured = await backend.measureLoad(again);
        if (i === 0) {
          await backend.respond(again, [{role: 'user', content: 'touch every weight'}]);
          rssAfterReply = residentBytes(again.pid as number);
        }
        await backend.unload(again);
        if (!measured) throw new Error(`${spec.name}: no measurement`);
        const error = pct(corrected, measured.residentBytes);
        if (Math.abs(error) > Math.abs(worst)) worst = error;
        const partError = pct(correctedPart, measuredModelBytes(measured));
        if (Math.abs(partError) > Math.abs(worstPart)) worstPart = partError;
      }
      rows.push({
        model: spec.name,
        contextLength,
        estimateMB: round1(estimate / MB),
        measuredMB: round1(first.residentBytes / MB),
        errorBeforePct: pct(estimate, first.residentBytes),
        emptyEngineMB: round1(first.baselineBytes / MB),
        factor: Math.round((factor ?? 1) * 1000) / 1000,
        correctedMB: round1(corrected / MB),
        errorAfterPct: worst,
        partErrorBeforePct: pct(part, measuredModelBytes(first)),
        partErrorAfterPct: worstPart,
        rssAfterLoadMB: round1(rssAfterLoad / MB),
        rssAfterReplyMB: round1(rssAfterReply / MB),
      });
    }
  } finally {
    await backend.dispose();
    await rm(stateDir, {recursive: true, force: true});
  }
  return rows;
}

/** P9 goal (issue 10): the corrected estimate within ±5 % of the measured memory after one load. */
const P9_MAX_PCT = 5;

/** Suite rows (P9): one per demo model; quick checks the correction against one later load, not two. */
export async function benchEstimateError(options: BenchOptions & {threads: number}): Promise<BenchRow[]> {
  const rows = await measureEstimateError(options.threads, options.quick ? 1 : LATER_LOADS);
  return rows.map((row) => ({
    id: 'P9',
    name: `memory estimate error, ${row.model}`,
    goal: `within ±${P9_MAX_PCT} % after one load`,
    figure: `${signedPct(row.errorAfterPct)} after (${signedPct(row.errorBeforePct)} before; ${row.correctedMB} vs ${row.measuredMB} MB)`,
    met: Math.abs(row.errorAfterPct) <= P9_MAX_PCT,
    values: row,
  }));
}
