import os from 'node:os';
import path from 'node:path';
import type {EventLog} from '../src/util/log.js';
import type {ModelHandle} from '../src/backends/backend.js';
import {fitConversation} from '../src/conversation/context-fit.js';
import {ContextManager, contextTarget, type SummaryModel} from '../src/conversation/context-manager.js';
import {DEMO_MODELS, forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {EmbeddedBackend} from '../src/backends/embedded/embedded-backend.js';
import {createMaiStore} from '../src/store.js';
import type {BenchOptions, BenchRow} from './bench-row.js';
import {int, ms} from './figures.js';

// The context manager's costs (DESIGN.md §7, issue 6): how long a 1,000-message conversation
// takes to re-fit when the model changes (goal: under 50 ms without summarizing), and how long a
// summary takes on each demo model. Real engines, real tokenizers; medians of several runs.

export type RefitRow = {
  step: string;
  messages: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
};

export type SummaryRow = {
  model: string;
  contextLength: number;
  rounds: number;
  medianRoundMs: number;
  messagesPerRound: number;
};

const MESSAGES = 1000;
const RUNS = 7;
const SETTINGS = {replyRoom: {percent: 25}, systemPrompt: '', summaries: false, maxReplyTokens: 256} as const;

const WORDS = 'the a model context window token reply summary switch memory engine prompt turn user question answer code file test'.split(' ');

/** Deterministic chat-like text of about `characters` characters. */
function text(seed: number, characters: number): string {
  const out: string[] = [];
  let x = seed * 2654435761;
  let length = 0;
  while (length < characters) {
    x = (x * 1103515245 + 12345) >>> 0;
    const word = WORDS[x % WORDS.length] as string;
    out.push(word);
    length += word.length + 1;
  }
  return out.join(' ');
}

const silent: EventLog = {event() {}, warn() {}, error() {}, close() {}};

async function conversation(messages: number, log: EventLog = silent, summaries = false): Promise<ContextManager> {
  const context = new ContextManager({store: createMaiStore(), log, settings: {...SETTINGS, summaries}, conversationsDir: null});
  for (let i = 0; i < messages; i += 2) {
    // Questions of 40-400 characters, answers of 200-1,200: a long technical chat.
    await context.addUserMessage(text(i, 40 + ((i * 37) % 360)));
    context.startReply('bench').finish({text: text(i + 1, 200 + ((i * 53) % 1000)), model: 'bench', interrupted: false});
  }
  return context;
}

function stats(step: string, messages: number, times: number[]): RefitRow {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {step, messages, medianMs: round(sorted[Math.floor(sorted.length / 2)] ?? 0), minMs: round(sorted[0] ?? 0), maxMs: round(sorted.at(-1) ?? 0)};
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function measureContextRefit(threads: number, runs = RUNS): Promise<RefitRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 256, temperature: 0.7});
  try {
    const large = await backend.load('mai-demo-large', {contextLength: 4096});
    const small = await backend.load('mai-demo-small', {contextLength: 1024});
    const rows: RefitRow[] = [];
    const switchTimes: number[] = [];
    const warmTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await conversation(MESSAGES);
      await context.buildPrompt(contextTarget(backend, large));
      // The switch: every message re-counted with the small model's tokenizer, then re-fitted.
      switchTimes.push(await timed(() => context.transfer(contextTarget(backend, small), 'mai-demo-large', 'benchmark')));
      // The next reply on the same model: counts cached, only the fit (and an exact count near the budget).
      warmTimes.push(await timed(() => context.buildPrompt(contextTarget(backend, small))));
    }
    rows.push(stats('switch: re-count with the target tokenizer + re-fit', MESSAGES, switchTimes));
    rows.push(stats('next prompt on the same model (counts cached)', MESSAGES, warmTimes));

    const tokens = Array.from({length: MESSAGES}, (_, i) => 20 + ((i * 37) % 300));
    const roles = tokens.map((_, i) => (i % 2 === 0 ? ('user' as const) : ('assistant' as const)));
    const pure: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      for (let i = 0; i < 100; i++) fitConversation({budget: 768, fixed: 12, messages: tokens, roles, summaries: []});
      pure.push((performance.now() - started) / 100);
    }
    rows.push(stats('fitConversation alone (pure decision)', MESSAGES, pure));
    return rows;
  } finally {
    await backend.dispose();
  }
}

/**
 * A summary on each demo model, through the context manager's own path: a conversation too long
 * for the model's window, summarized in rounds on an isolated context of the model.
 */
export async function measureSummaryLatency(threads: number, models: readonly string[] = DEMO_MODELS.map((spec) => spec.name)): Promise<SummaryRow[]> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  const backend = new EmbeddedBackend({modelDirs: [dir], threads, gpu: false, maxTokens: 256, temperature: 0.7});
  const rows: SummaryRow[] = [];
  try {
    for (const spec of DEMO_MODELS.filter((demo) => models.includes(demo.name))) {
      const handle: ModelHandle = await backend.load(spec.name, {contextLength: spec.contextLength});
      const rounds: {ms: number; messages: number}[] = [];
      let from = 0;
      const log: EventLog = {
        ...silent,
        event: (name, fields = {}) => {
          if (name !== 'summary') return;
          rounds.push({ms: Number(fields.ms), messages: Number(fields.covers) - from});
          from = Number(fields.covers);
        },
      };
      const model: SummaryModel = {
        target: contextTarget(backend, handle),
        respond: async (messages, {signal, maxTokens}) => {
          const result = await backend.respond(handle, messages, {signal, maxTokens, temperature: 0.2, isolated: true});
          return {text: result.text, stopReason: result.stats.stopReason};
        },
      };
      const context = new ContextManager({
        store: createMaiStore(),
        log,
        settings: {...SETTINGS, summaries: true},
        conversationsDir: null,
        summaryModel: async () => model,
      });
      // Twice the model's window of conversation, in this model's tokens (roughly one per character).
      for (let i = 0; i < Math.ceil((spec.contextLength * 2) / 400); i++) {
        await context.addUserMessage(text(i, 80));
        context.startReply(spec.name).finish({text: text(i + 1, 300), model: spec.name, interrupted: false});
      }
      await context.transfer(model.target, null, 'benchmark');
      await context.summariesSettled();
      const sorted = rounds.map((round) => round.ms).sort((a, b) => a - b);
      rows.push({
        model: spec.name,
        contextLength: spec.contextLength,
        rounds: rounds.length,
        medianRoundMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
        messagesPerRound: Math.round((rounds.reduce((sum, round) => sum + round.messages, 0) / Math.max(1, rounds.length)) * 10) / 10,
      });
      await backend.unload(handle);
    }
    return rows;
  } finally {
    await backend.dispose();
  }
}

/** P10 goal (issue 6): a 1,000-message conversation re-fitted on a switch in under 50 ms. */
const P10_MAX_MS = 50;

/** Suite rows (P10 and the summary latency); quick runs 3 refits and a summary on the small model only. */
export async function benchContextRefit(options: BenchOptions & {threads: number}): Promise<BenchRow[]> {
  const refits = await measureContextRefit(options.threads, options.quick ? 3 : RUNS);
  const summaries = await measureSummaryLatency(options.threads, options.quick ? ['mai-demo-small'] : undefined);
  const rows: BenchRow[] = refits.map((row, i) => ({
    id: 'P10',
    name: `${row.step}, ${int(row.messages)} messages`,
    // The switch's refit is the goal; the other two show where its time goes.
    goal: i === 0 ? `< ${P10_MAX_MS} ms` : '',
    figure: `median ${ms(row.medianMs)} (${ms(row.minMs)}–${ms(row.maxMs)})`,
    met: i === 0 ? row.medianMs < P10_MAX_MS : null,
    values: row,
  }));
  for (const row of summaries) {
    rows.push({
      id: 'P10',
      name: `summary round, ${row.model} (${int(row.contextLength)}-token window)`,
      goal: '',
      figure: `median ${ms(row.medianRoundMs)} a round, ${row.rounds} rounds, ${row.messagesPerRound} messages each`,
      met: null,
      values: row,
    });
  }
  return rows;
}
