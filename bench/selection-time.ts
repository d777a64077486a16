import os from 'node:os';
import path from 'node:path';
import {loadConfig} from '../src/config.js';
import {TIERS, type Tier} from '../src/domain.js';
import {scoreComplexity, tierForScore} from '../src/manager/policy/complexity.js';
import type {PolicyEntry} from '../src/manager/policy/fit.js';
import {pressureAction, type PressureInput} from '../src/manager/policy/pressure-policy.js';
import {selectModel, type SelectionInput} from '../src/manager/policy/selection.js';
import {PRESSURE_CHANGES_KEPT, type PressureChange} from '../src/store.js';
import {modelEntry} from '../test/support/model-entries.js';

// What a decision costs (issue 10: selection by task "in under 1 ms with no model call"): the
// complexity score and the model selection for a 10,000-character message with code blocks,
// reasoning words and technical terms over a 60-model catalogue, and the pressure policy's
// decision for a sample in critical RAM pressure. Pure functions, timed one call at a time after a
// warm-up (so the JIT has compiled them), with the bundled config's rules.

export type SelectionTimeRow = {
  decision: string;
  runs: number;
  meanUs: number;
  p99Us: number;
  /** What the decision was, to see it is the work a real one does (not an early exit). */
  outcome: string;
};

const RUNS = 5000;
const WARMUP = 500;
const MESSAGE_CHARS = 10_000;
const CATALOGUE = 60;
const GiB = 1024 ** 3;

const SEGMENTS = [
  'Explain step by step why this algorithm has the complexity it has, and prove the bound on the recurrence. ',
  'Compare the trade-off between a hash join and a merge join in SQL, and justify which one the planner should pick. ',
  '```ts\nexport function mergeSort(values: number[]): number[] {\n  if (values.length < 2) return values;\n  const middle = values.length >> 1;\n  return merge(mergeSort(values.slice(0, middle)), mergeSort(values.slice(middle)));\n}\n```\n',
  'Why does the gradient vanish here? Derive the derivative of the loss with respect to the matrix of weights. ',
  'Then debug the regex below and analyze what happens in the kernel when the page cache is full.\n',
];

/** A message of exactly MESSAGE_CHARS: whole segments, then plain words to the length. */
export function longMessage(): string {
  let text = '';
  for (let i = 0; text.length + (SEGMENTS[i % SEGMENTS.length] ?? '').length <= MESSAGE_CHARS; i++) text += SEGMENTS[i % SEGMENTS.length];
  return (text + ' and so on'.repeat(MESSAGE_CHARS)).slice(0, MESSAGE_CHARS);
}

/** 60 models, 20 a tier, of growing size (some too big for 16 GiB), a few demo ones. */
function catalogue(): PolicyEntry[] {
  return Array.from({length: CATALOGUE}, (_, i) => {
    const tier = TIERS[i % TIERS.length] as Tier;
    const estimateGiB = (1 + TIERS.indexOf(tier) * 4) * (1 + (i % 7) * 0.3);
    return modelEntry(`model-${i}-${tier}`, {tier, estimateBytes: estimateGiB * GiB, sizeBytes: estimateGiB * 0.8 * GiB, demo: i % 20 === 0});
  });
}

function time<T>(call: () => T): {meanUs: number; p99Us: number; last: T} {
  let last = call();
  for (let i = 0; i < WARMUP; i++) last = call();
  const times = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    last = call();
    times[i] = performance.now() - started;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, t) => sum + t, 0) / RUNS;
  const round = (ms: number) => Math.round(ms * 1000 * 10) / 10;
  return {meanUs: round(mean), p99Us: round(sorted[Math.floor(RUNS * 0.99)] ?? NaN), last};
}

export async function measureSelectionTime(): Promise<SelectionTimeRow[]> {
  // The bundled config alone: a HOME with no config file of its own.
  const {config} = await loadConfig({env: {HOME: path.join(os.tmpdir(), 'mai-bench-no-home'), PATH: process.env.PATH}});
  const {policy} = config;
  const text = longMessage();
  const entries = catalogue();
  // The smallest large model is current (loaded); pressure takes it down a tier.
  const current = entries.filter((entry) => entry.tier === 'large').sort((a, b) => a.estimateBytes - b.estimateBytes)[0] as PolicyEntry;
  const loadedKeys = new Set([current.key]);
  const memory = {ramBytes: 16 * GiB};
  const headroomBytes = policy.memoryHeadroomGb * GiB;
  const context = {depth: 6, recentStruggles: 1};
  const selection = (score: number): SelectionInput => ({
    entries,
    memory,
    headroomBytes,
    loadedKeys,
    currentKey: 'model-0-small',
    pinnedKey: null,
    autoSwitch: true,
    task: {wantedTier: tierForScore(score, policy.complexity), score, previousWantedTier: 'medium', turn: 6, wentUpAtTurn: null},
    rules: {stayUpTurns: policy.stayUpTurns, switchCostBudgetMs: policy.switchCostBudgetMs, thresholds: policy.complexity},
  });

  const now = 1_000_000;
  const changes: PressureChange[] = Array.from({length: PRESSURE_CHANGES_KEPT}, (_, i) => {
    const resource = (['cpu', 'ram', 'vram'] as const)[i % 3] ?? 'cpu';
    const to = i === PRESSURE_CHANGES_KEPT - 1 ? 'critical' : i % 2 === 0 ? 'elevated' : 'ok';
    return {resource, from: 'ok', to, value: 5, at: now - (PRESSURE_CHANGES_KEPT - i) * 1500, ...(resource === 'vram' ? {gpu: 0} : {})};
  });
  changes[changes.length - 1] = {resource: 'ram', from: 'elevated', to: 'critical', value: 5, at: now - 2500};
  const pressure: PressureInput = {
    now,
    levels: {cpu: 'ok', ram: 'critical', vram: 'ok', gpus: ['ok']},
    changes,
    switchDownAfterMs: policy.switchDownAfterMs,
    switchUpAfterMs: policy.switchUpAfterMs,
    lastStepAt: null,
    spareEngine: false,
    idleKeys: [],
    entries,
    memory: {ramBytes: 2 * GiB},
    headroomBytes,
    loadedKeys,
    currentKey: current.key,
    freedBySwitchBytes: current.estimateBytes,
    wantedTier: 'large',
    canSwitch: true,
  };

  const score = time(() => scoreComplexity(text, context));
  const select = time(() => selectModel(selection(score.last.score)));
  const both = time(() => selectModel(selection(scoreComplexity(text, context).score)));
  const relieve = time(() => pressureAction(pressure));
  const label = `${MESSAGE_CHARS.toLocaleString('en')}-character message, ${CATALOGUE} models`;
  return [
    {decision: `scoreComplexity (${label})`, runs: RUNS, meanUs: score.meanUs, p99Us: score.p99Us, outcome: `score ${score.last.score}`},
    {decision: `selectModel (${label})`, runs: RUNS, meanUs: select.meanUs, p99Us: select.p99Us, outcome: `${select.last.action} ${select.last.key}`},
    {decision: `both, per message (${label})`, runs: RUNS, meanUs: both.meanUs, p99Us: both.p99Us, outcome: `${both.last.action} ${both.last.key}`},
    {
      decision: `pressureAction (RAM critical, ${CATALOGUE} models, ${PRESSURE_CHANGES_KEPT} changes)`,
      runs: RUNS,
      meanUs: relieve.meanUs,
      p99Us: relieve.p99Us,
      outcome: relieve.last.action === 'none' ? `none: ${relieve.last.reason}` : `${relieve.last.action}`,
    },
  ];
}
