// The schema of a config file (snake_case as written in the files; the transforms give the
// camelCase Config). Every message reads "expected …" so that the problem locator can add
// ", got VALUE" from the file; cross-field checks say all in their own message instead.

import * as z from 'zod';
import {TIERS, type Tier} from '../domain.js';
import {hosts} from './hosts-schema.js';
import {bindingIdOf, KEY_NAME_EXAMPLES, parseKeyName} from './key-names.js';
import {modelKeyId} from './model-key.js';
import type {Config, ContextConfig, EngineConfig, ModelConfig, PolicyConfig} from './types.js';

const expected = (what: string) => ({error: `expected ${what}`});

function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key; expected one of ${allowed}` : 'expected a mapping'),
  });
}

const integer = (what: string, min: number) => z.int(expected(what)).min(min, expected(what));
const numberIn = (what: string, min: number, max = Infinity) =>
  z.number(expected(what)).min(min, expected(what)).max(max, expected(what));

const positiveInt = integer('a positive integer', 1);
const nonNegativeInt = integer('a non-negative integer', 0);
const nonNegativeNumber = numberIn('a non-negative number', 0);
const percent = numberIn('a percentage from 0 to 100', 0, 100);
const bool = z.boolean(expected('true or false'));
const tier = z.enum(TIERS, expected(`one of ${TIERS.join(', ')}`));

const modelEntry = strict({
  key: z.string(expected('a model key')).trim().min(1, expected('a model key')),
  tier: tier.optional(),
  capabilities: z
    .array(z.string(expected('a capability name')).min(1, expected('a capability name')), expected('a list of capabilities'))
    .optional(),
  context_length: positiveInt.optional(),
  min_free_ram_gb: nonNegativeNumber.optional(),
  backend: z.enum(['embedded', 'lmstudio'], expected('one of embedded, lmstudio')).optional(),
}).transform(
  (m): ModelConfig => ({
    key: m.key,
    tier: m.tier,
    capabilities: m.capabilities,
    contextLength: m.context_length,
    minFreeRamGb: m.min_free_ram_gb,
    backend: m.backend,
  }),
);

const models = z.array(modelEntry, expected('a list of models')).superRefine((entries, ctx) => {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(modelKeyId(entry.key));
    if (first === undefined) seen.set(modelKeyId(entry.key), index);
    else ctx.addIssue({code: 'custom', path: [index, 'key'], message: `duplicate model key "${entry.key}" (also models[${first}])`});
  });
});

const fallbackChains = z
  .partialRecord(tier, z.array(tier, expected('a list of tiers')), {
    // Keys outside the tier enum arrive as unrecognized_keys at run time, though the type omits it.
    error: (issue) => (issue.code === 'invalid_type' ? 'expected a mapping' : `unknown tier; expected one of ${TIERS.join(', ')}`),
  })
  .superRefine((chains, ctx) => {
    for (const [from, chain] of Object.entries(chains)) {
      const index = chain?.indexOf(from as Tier) ?? -1;
      if (index >= 0) ctx.addIssue({code: 'custom', path: [from, index], message: `a tier cannot fall back to itself ("${from}")`});
    }
  });

/**
 * Thresholds for a resource whose pressure rises as the value falls (free memory) or rises (CPU).
 * Levels in the wrong order would make "critical" unreachable or always on, so they are rejected.
 */
function thresholds(direction: 'falling' | 'rising') {
  return strict({elevated: percent, critical: percent}).superRefine((t, ctx) => {
    const ok = direction === 'falling' ? t.elevated > t.critical : t.elevated < t.critical;
    if (!ok) {
      const relation = direction === 'falling' ? 'greater' : 'less';
      ctx.addIssue({code: 'custom', message: `elevated (${t.elevated}) must be ${relation} than critical (${t.critical})`});
    }
  });
}

/** Scores from which a message asks for medium and large; equal or reversed would skip a tier. */
const complexity = strict({medium: numberIn('a score from 0 to 1', 0, 1), large: numberIn('a score from 0 to 1', 0, 1)}).superRefine((t, ctx) => {
  if (t.medium >= t.large) ctx.addIssue({code: 'custom', message: `medium (${t.medium}) must be less than large (${t.large})`});
});

const policy = strict({
  // A floor against slips such as `1` for `1000`, not a measured limit: every sample reads CPU,
  // memory and GPUs, and DESIGN.md §4 keeps the monitor's own cost well below 1% of a core.
  sample_interval_ms: integer('an integer of at least 250', 250),
  pressure: strict({
    ram_free_pct: thresholds('falling'),
    vram_free_pct: thresholds('falling'),
    cpu_pct: thresholds('rising'),
    // Half the range would put a level's way out beyond the other end of the scale.
    hysteresis_pct: numberIn('a number of percentage points from 0 to 50', 0, 50),
    dwell_ms: nonNegativeInt,
    smoothing_ms: strict({cpu: nonNegativeInt, ram: nonNegativeInt, vram: nonNegativeInt}),
  }),
  switch_down_after_ms: nonNegativeInt,
  switch_up_after_ms: nonNegativeInt,
  preload: bool,
  retries: nonNegativeInt,
  struggle: strict({
    max_ttft_ms: positiveInt,
    min_tokens_per_s: nonNegativeNumber,
    max_repeat_ratio: numberIn('a number from 0 to 1', 0, 1),
    // A speed measured over less than a second swings with every token the engine batches.
    window_ms: integer('an integer of at least 1000', 1000),
    judge_after_tokens: nonNegativeInt,
    // The repetition search looks for units of up to 100 characters repeated 3 times (struggle.ts).
    repeat_window_chars: integer('an integer of at least 300', 300),
  }),
  memory_headroom_gb: nonNegativeNumber,
  complexity,
  stay_up_turns: nonNegativeInt,
  switch_cost_budget_ms: nonNegativeInt,
  memory_wait_ms: nonNegativeInt,
}).transform(
  (p): PolicyConfig => ({
    sampleIntervalMs: p.sample_interval_ms,
    pressure: {
      ramFreePct: p.pressure.ram_free_pct,
      vramFreePct: p.pressure.vram_free_pct,
      cpuPct: p.pressure.cpu_pct,
      hysteresisPct: p.pressure.hysteresis_pct,
      dwellMs: p.pressure.dwell_ms,
      smoothingMs: p.pressure.smoothing_ms,
    },
    switchDownAfterMs: p.switch_down_after_ms,
    switchUpAfterMs: p.switch_up_after_ms,
    preload: p.preload,
    retries: p.retries,
    struggle: {
      maxTtftMs: p.struggle.max_ttft_ms,
      minTokensPerS: p.struggle.min_tokens_per_s,
      maxRepeatRatio: p.struggle.max_repeat_ratio,
      windowMs: p.struggle.window_ms,
      judgeAfterTokens: p.struggle.judge_after_tokens,
      repeatWindowChars: p.struggle.repeat_window_chars,
    },
    memoryHeadroomGb: p.memory_headroom_gb,
    complexity: p.complexity,
    stayUpTurns: p.stay_up_turns,
    switchCostBudgetMs: p.switch_cost_budget_ms,
    memoryWaitMs: p.memory_wait_ms,
  }),
);

const threadsWhat = '"auto" or a positive integer';
const engine = strict({
  threads: z.union([z.literal('auto'), integer(threadsWhat, 1)], expected(threadsWhat)),
  gpu: z.literal(['auto', false, 'cuda', 'vulkan', 'metal'], expected('one of auto, false, cuda, vulkan, metal')),
  context_length: positiveInt,
  max_tokens: positiveInt,
  temperature: numberIn('a number from 0 to 2', 0, 2),
}).transform(
  (e): EngineConfig => ({
    threads: e.threads,
    gpu: e.gpu,
    contextLength: e.context_length,
    maxTokens: e.max_tokens,
    temperature: e.temperature,
  }),
);

// Room for the reply: a share of each model's context ("25%") or a number of tokens. Above 90 % a
// prompt would hold hardly more than the last message.
const replyRoomWhat = 'a share of the context from 1% to 90% (such as 25%) or a number of tokens';
const replyRoom = z.union(
  [
    integer(replyRoomWhat, 1).transform((tokens) => ({tokens})),
    z
      .string(expected(replyRoomWhat))
      .regex(/^\s*\d+(\.\d+)?\s*%\s*$/, expected(replyRoomWhat))
      .transform((text) => ({percent: Number.parseFloat(text)}))
      .refine(({percent}) => percent >= 1 && percent <= 90, expected(replyRoomWhat)),
  ],
  expected(replyRoomWhat),
);

const context = strict({
  reply_room: replyRoom,
  system_prompt: z.string(expected('a text (empty for none)')),
  summaries: bool,
}).transform((c): ContextConfig => ({replyRoom: c.reply_room, systemPrompt: c.system_prompt, summaries: c.summaries}));

// `keys:` maps a binding's name (the key table's id in snake_case: `model_picker`) to one key name
// or a list of them. Which names exist is the TUI's key table's to say (a name it does not know is
// reported at start-up, like a conflict); a key name that names no key is an error here.
const keyNameWhat = `a key name such as ${KEY_NAME_EXAMPLES}`;
const keyName = z.string(expected(keyNameWhat)).refine((text) => parseKeyName(text) !== null, expected(keyNameWhat));
const keys = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]*$/),
    z.union([keyName.transform((name) => [name]), z.array(keyName, expected(keyNameWhat)).min(1, expected('at least one key name'))], expected(`${keyNameWhat}, or a list of them`)),
    {
      // Said without "expected": the name is the problem, not the value the locator would quote.
      error: (issue) => (issue.code === 'invalid_key' ? 'not a key binding name (lower case words joined by _, such as model_picker)' : 'expected a mapping of key binding names to key names'),
    },
  )
  .transform((map): Readonly<Record<string, readonly string[]>> => Object.fromEntries(Object.entries(map).map(([id, names]) => [bindingIdOf(id), names])));

export const lmstudioUrlWhat = 'a ws://, wss://, http:// or https:// URL';

/** @lmstudio/sdk takes only ws:// or wss:// with no trailing slash; LM Studio itself shows http://. */
export const lmstudioUrl = z
  .string(expected(lmstudioUrlWhat))
  .trim()
  .refine((text) => /^(wss?|https?):\/\/[^/\s]+/i.test(text) && URL.canParse(text), expected(lmstudioUrlWhat))
  .transform((text) => text.replace(/^http/i, 'ws').replace(/\/+$/, ''));

/**
 * The options every config parse takes. Zod compiles a fast path for each object schema (with `new
 * Function`) on its first parse; a run parses a config two or three times, and the compiling cost
 * more than it saves (9 ms of the chat's start here).
 */
export const PARSE_ONCE = {jitless: true} as const;

export const configSchema = strict({
  models,
  fallback_chains: fallbackChains,
  policy,
  engine,
  model_dirs: z.array(z.string(expected('a folder path')).min(1, expected('a folder path')), expected('a list of folder paths')),
  lmstudio: strict({url: lmstudioUrl, enabled: bool}),
  ui: strict({ascii: bool, mouse: bool}),
  context,
  hosts: hosts.optional(),
  keys: keys.optional(),
}).transform(
  (c): Config => ({
    models: c.models,
    fallbackChains: c.fallback_chains,
    policy: c.policy,
    engine: c.engine,
    modelDirs: c.model_dirs,
    lmstudio: c.lmstudio,
    ui: c.ui,
    context: c.context,
    hosts: c.hosts ?? [],
    keys: c.keys ?? {},
  }),
);
