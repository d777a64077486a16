import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  bundledConfigPath,
  ConfigError,
  loadConfig,
  modelConfigFor,
  parseConfigText,
  resolvePaths,
  type LoadedConfig,
} from '../../src/config.js';

let root: string;
let caseNumber = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mai-config-test-'));
});
afterAll(async () => {
  await rm(root, {recursive: true, force: true});
});

/** A fresh home dir (nothing from the real user's config can leak in) and its environment. */
async function freshHome(): Promise<{home: string; env: NodeJS.ProcessEnv}> {
  const home = path.join(root, `home-${++caseNumber}`);
  await mkdir(home, {recursive: true});
  return {home, env: {HOME: home}};
}

async function writeUserFile(dir: string, text: string, name = 'user.yaml'): Promise<string> {
  await mkdir(dir, {recursive: true});
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The ConfigError message a load or parse throws, or a failure when it does not throw one. */
async function configErrorOf(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the bundled config', () => {
  it('validates and holds the demo models and the default policy', async () => {
    const {home, env} = await freshHome();
    const {config, paths, sources}: LoadedConfig = await loadConfig({env});

    expect(sources).toEqual([bundledConfigPath()]);
    expect(bundledConfigPath()).toBe(path.resolve(import.meta.dirname, '..', '..', 'config', 'models.yaml'));
    expect(config.models.map((m) => [m.key, m.tier, m.capabilities])).toEqual([
      ['mai-demo-small', 'small', ['chat']],
      ['mai-demo-medium', 'medium', ['chat']],
      ['mai-demo-large', 'large', ['chat']],
    ]);
    expect(config.fallbackChains).toEqual({large: ['medium', 'small'], medium: ['small']});
    expect(config.policy).toEqual({
      sampleIntervalMs: 1000,
      pressure: {
        ramFreePct: {elevated: 15, critical: 7},
        vramFreePct: {elevated: 15, critical: 7},
        cpuPct: {elevated: 85, critical: 95},
        hysteresisPct: 3,
        dwellMs: 5000,
        smoothingMs: {cpu: 3000, ram: 0, vram: 0},
      },
      switchDownAfterMs: 2000,
      switchUpAfterMs: 30000,
      preload: true,
      retries: 2,
      struggle: {maxTtftMs: 15000, minTokensPerS: 2, maxRepeatRatio: 0.5, windowMs: 5000, judgeAfterTokens: 16, repeatWindowChars: 400},
      memoryHeadroomGb: 1,
      complexity: {medium: 0.3, large: 0.6},
      stayUpTurns: 3,
      switchCostBudgetMs: 3000,
      memoryWaitMs: 2000,
    });
    expect(config.engine).toEqual({threads: 'auto', gpu: 'auto', contextLength: 4096, maxTokens: 1024, temperature: 0.7});
    expect(config.modelDirs).toEqual([
      path.join(home, '.lmstudio', 'models'),
      path.join(home, '.cache', 'lm-studio', 'models'),
      paths.modelsDir,
    ]);
    expect(config.lmstudio).toEqual({url: 'ws://127.0.0.1:1234', enabled: true});
    expect(config.ui).toEqual({ascii: false, mouse: true});
    expect(config.context).toEqual({replyRoom: {percent: 25}, systemPrompt: '', summaries: true});
  });

  it('finds a model entry by key, with or without .gguf and in any case', async () => {
    const {env} = await freshHome();
    const {config} = await loadConfig({env});
    expect(modelConfigFor(config, 'mai-demo-medium')?.tier).toBe('medium');
    expect(modelConfigFor(config, 'MAI-Demo-Large.gguf')?.tier).toBe('large');
    expect(modelConfigFor(config, 'qwen2.5-7b-instruct')).toBeUndefined();
  });
});

describe('a user file over the bundled one', () => {
  it('merges models by key, mappings deeply, and replaces other lists', async () => {
    const {home, env} = await freshHome();
    const dir = path.join(home, 'elsewhere');
    const configPath = await writeUserFile(
      dir,
      [
        'models:',
        '  - key: mai-demo-small',
        '    context_length: 2048',
        '  - key: qwen2.5-7b-instruct',
        '    tier: large',
        '    capabilities: [chat, code]',
        '    backend: lmstudio',
        'fallback_chains:',
        '  large: [small]',
        'policy:',
        '  retries: 5',
        '  pressure:',
        '    cpu_pct: {elevated: 70}',
        'model_dirs: [~/gguf, ./relative]',
        '',
      ].join('\n'),
    );
    const {config, paths, sources} = await loadConfig({configPath, env});

    expect(sources).toEqual([bundledConfigPath(), configPath]);
    expect(config.models.map((m) => m.key)).toEqual(['mai-demo-small', 'mai-demo-medium', 'mai-demo-large', 'qwen2.5-7b-instruct']);
    expect(modelConfigFor(config, 'mai-demo-small')).toMatchObject({tier: 'small', capabilities: ['chat'], contextLength: 2048});
    expect(modelConfigFor(config, 'qwen2.5-7b-instruct')).toMatchObject({tier: 'large', capabilities: ['chat', 'code'], backend: 'lmstudio'});
    expect(config.fallbackChains).toEqual({large: ['small'], medium: ['small']});
    expect(config.policy.retries).toBe(5);
    expect(config.policy.pressure.cpuPct).toEqual({elevated: 70, critical: 95});
    expect(config.policy.pressure.ramFreePct).toEqual({elevated: 15, critical: 7});
    expect(config.policy.sampleIntervalMs).toBe(1000);
    // ~ is the home of the given env; a relative dir is relative to the file that lists it.
    expect(config.modelDirs).toEqual([path.join(home, 'gguf'), path.join(dir, 'relative'), paths.modelsDir]);
  });

  it.each([
    ['25%', {percent: 25}],
    ['12.5 %', {percent: 12.5}],
    ['512', {tokens: 512}],
  ])('takes a reply room of %s', async (value, replyRoom) => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(home, `context:\n  reply_room: ${value === '512' ? value : JSON.stringify(value)}\n  system_prompt: Be brief.\n`);
    const {config} = await loadConfig({configPath, env});
    expect(config.context).toEqual({replyRoom, systemPrompt: 'Be brief.', summaries: true});
  });

  it('takes the policy knobs for task, churn and struggle from the user file', async () => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(
      home,
      [
        'policy:',
        '  complexity: {large: 0.8}',
        '  stay_up_turns: 0',
        '  switch_cost_budget_ms: 10000',
        '  memory_wait_ms: 0',
        '  struggle:',
        '    window_ms: 2000',
        '    judge_after_tokens: 0',
        '    repeat_window_chars: 1000',
        '',
      ].join('\n'),
    );
    const {config} = await loadConfig({configPath, env});
    expect(config.policy).toMatchObject({
      complexity: {medium: 0.3, large: 0.8},
      stayUpTurns: 0,
      switchCostBudgetMs: 10000,
      memoryWaitMs: 0,
      struggle: {maxTtftMs: 15000, minTokensPerS: 2, maxRepeatRatio: 0.5, windowMs: 2000, judgeAfterTokens: 0, repeatWindowChars: 1000},
    });
  });

  it('points into the user file when its complexity threshold crosses the bundled one', async () => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(home, 'policy:\n  complexity:\n    medium: 0.9\n');
    const error = await configErrorOf(() => loadConfig({configPath, env}));
    expect(error.message).toBe(`${configPath}:3:5: policy.complexity: medium (0.9) must be less than large (0.6)`);
  });

  it('reads the user file from the config dir when no --config is given', async () => {
    const {home, env} = await freshHome();
    const configFile = await writeUserFile(path.join(home, '.config', 'mai'), 'ui:\n  ascii: true\n', 'models.yaml');
    const {config, paths, sources} = await loadConfig({env});
    expect(paths.configFile).toBe(configFile);
    expect(sources).toEqual([bundledConfigPath(), configFile]);
    expect(config.ui.ascii).toBe(true);
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing here yet\n'],
    ['sections whose lines are all commented out', 'policy:\n  # retries: 3\nengine:\nmodels:\n'],
  ])('accepts %s and keeps the defaults', async (_name, text) => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(home, text);
    const {config} = await loadConfig({configPath, env});
    expect(config.policy.retries).toBe(2);
    expect(config.models).toHaveLength(3);
  });
});

describe('R5: config errors name the file, line and column', () => {
  const file = '/cfg/user.yaml';
  const table: [name: string, text: string, message: string][] = [
    [
      'bad YAML syntax',
      'policy:\n  retries: [1, 2\n',
      `${file}:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ],
    ['a duplicate key', 'policy:\n  retries: 1\n  retries: 2\n', `${file}:3:3: invalid YAML: duplicate key "retries"`],
    ['an unknown alias', 'policy:\n  retries: *three\n', `${file}:2:12: invalid YAML: unknown alias *three`],
    [
      'an unknown top-level key',
      'ui:\n  ascii: true\npolcy:\n  retries: 2\n',
      `${file}:3:1: polcy: unknown key; expected one of models, fallback_chains, policy, engine, model_dirs, lmstudio, ui, context, hosts, keys`,
    ],
    [
      'an unknown nested key',
      'policy:\n  retris: 2\n',
      `${file}:2:3: policy.retris: unknown key; expected one of sample_interval_ms, pressure, switch_down_after_ms, ` +
        'switch_up_after_ms, preload, retries, struggle, memory_headroom_gb, complexity, stay_up_turns, switch_cost_budget_ms, memory_wait_ms',
    ],
    [
      'an unknown key in a model entry',
      'models:\n  - key: x\n    teir: small\n',
      `${file}:3:5: models[0].teir: unknown key; expected one of key, tier, capabilities, context_length, min_free_ram_gb, backend`,
    ],
    ['a wrong type', 'policy:\n  retries: two\n', `${file}:2:12: policy.retries: expected a non-negative integer, got "two"`],
    ['a list for a mapping', 'engine: [1]\n', `${file}:1:9: engine: expected a mapping, got a list`],
    ['a list at the top', '- models\n', `${file}:1:1: top level: expected a mapping, got a list`],
    [
      'an out-of-range percentage',
      'policy:\n  pressure:\n    ram_free_pct: {elevated: 150, critical: 7}\n',
      `${file}:3:30: policy.pressure.ram_free_pct.elevated: expected a percentage from 0 to 100, got 150`,
    ],
    ['a fraction for an integer', 'engine:\n  context_length: 1.5\n', `${file}:2:19: engine.context_length: expected a positive integer, got 1.5`],
    ['zero threads', 'engine:\n  threads: 0\n', `${file}:2:12: engine.threads: expected "auto" or a positive integer, got 0`],
    [
      'free-memory thresholds in the wrong order',
      'policy:\n  pressure:\n    vram_free_pct: {elevated: 5, critical: 10}\n',
      `${file}:3:20: policy.pressure.vram_free_pct: elevated (5) must be greater than critical (10)`,
    ],
    [
      'CPU thresholds in the wrong order',
      'policy:\n  pressure:\n    cpu_pct:\n      elevated: 95\n      critical: 85\n',
      `${file}:4:7: policy.pressure.cpu_pct: elevated (95) must be less than critical (85)`,
    ],
    [
      'a sample interval below 250 ms',
      'policy:\n  sample_interval_ms: 100\n',
      `${file}:2:23: policy.sample_interval_ms: expected an integer of at least 250, got 100`,
    ],
    [
      'a hysteresis beyond half the scale',
      'policy:\n  pressure:\n    hysteresis_pct: 60\n',
      `${file}:3:21: policy.pressure.hysteresis_pct: expected a number of percentage points from 0 to 50, got 60`,
    ],
    ['a negative dwell', 'policy:\n  pressure:\n    dwell_ms: -1\n', `${file}:3:15: policy.pressure.dwell_ms: expected a non-negative integer, got -1`],
    [
      'smoothing for an unknown resource',
      'policy:\n  pressure:\n    smoothing_ms: {gpu: 100}\n',
      `${file}:3:20: policy.pressure.smoothing_ms.gpu: unknown key; expected one of cpu, ram, vram`,
    ],
    ['a bad tier', 'models:\n  - key: x\n    tier: huge\n', `${file}:3:11: models[0].tier: expected one of small, medium, large, got "huge"`],
    ['a model without a key', 'models:\n  - tier: small\n', `${file}:2:5: models[0].key: missing, expected a model key`],
    ['a model listed twice', 'models:\n  - key: a\n  - key: A.gguf\n', `${file}:3:10: models[1].key: duplicate model key "A.gguf" (also models[0])`],
    ['an unknown fallback tier', 'fallback_chains:\n  huge: [small]\n', `${file}:2:3: fallback_chains.huge: unknown tier; expected one of small, medium, large`],
    [
      'a tier falling back to itself',
      'fallback_chains:\n  large: [large, small]\n',
      `${file}:2:11: fallback_chains.large[0]: a tier cannot fall back to itself ("large")`,
    ],
    ['a bad gpu setting', 'engine:\n  gpu: yes\n', `${file}:2:8: engine.gpu: expected one of auto, false, cuda, vulkan, metal, got "yes"`],
    [
      'a bad LM Studio URL',
      'lmstudio:\n  url: localhost:1234\n',
      `${file}:2:8: lmstudio.url: expected a ws://, wss://, http:// or https:// URL, got "localhost:1234"`,
    ],
    ['a single dir for a list', 'model_dirs: ~/x\n', `${file}:1:13: model_dirs: expected a list of folder paths, got "~/x"`],
    [
      'a reply room over 90%',
      'context:\n  reply_room: 95%\n',
      `${file}:2:15: context.reply_room: expected a share of the context from 1% to 90% (such as 25%) or a number of tokens, got "95%"`,
    ],
    [
      'a reply room of no tokens',
      'context:\n  reply_room: 0\n',
      `${file}:2:15: context.reply_room: expected a share of the context from 1% to 90% (such as 25%) or a number of tokens, got 0`,
    ],
    [
      'complexity thresholds in the wrong order',
      'policy:\n  complexity: {medium: 0.7, large: 0.6}\n',
      `${file}:2:15: policy.complexity: medium (0.7) must be less than large (0.6)`,
    ],
    ['a complexity score above 1', 'policy:\n  complexity:\n    large: 2\n', `${file}:3:12: policy.complexity.large: expected a score from 0 to 1, got 2`],
    ['negative stay-up turns', 'policy:\n  stay_up_turns: -1\n', `${file}:2:18: policy.stay_up_turns: expected a non-negative integer, got -1`],
    [
      'a switch cost budget that is not a number',
      'policy:\n  switch_cost_budget_ms: 3s\n',
      `${file}:2:26: policy.switch_cost_budget_ms: expected a non-negative integer, got "3s"`,
    ],
    ['a fractional memory wait', 'policy:\n  memory_wait_ms: 0.5\n', `${file}:2:19: policy.memory_wait_ms: expected a non-negative integer, got 0.5`],
    [
      'a struggle window under a second',
      'policy:\n  struggle:\n    window_ms: 200\n',
      `${file}:3:16: policy.struggle.window_ms: expected an integer of at least 1000, got 200`,
    ],
    [
      'negative tokens before judging speed',
      'policy:\n  struggle:\n    judge_after_tokens: -4\n',
      `${file}:3:25: policy.struggle.judge_after_tokens: expected a non-negative integer, got -4`,
    ],
    [
      'a repetition window too short for the longest unit',
      'policy:\n  struggle:\n    repeat_window_chars: 100\n',
      `${file}:3:26: policy.struggle.repeat_window_chars: expected an integer of at least 300, got 100`,
    ],
    ['a system prompt that is not text', 'context:\n  system_prompt: [a]\n', `${file}:2:18: context.system_prompt: expected a text (empty for none), got a list`],
  ];

  it.each(table)('%s', async (_name, text, message) => {
    const error = await configErrorOf(() => parseConfigText(text, file));
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('reports every problem in a file, one per line, in file order', async () => {
    const text = [
      'engine:', //                                   1
      '  temperature: 3', //                          2
      '  gpu: yes', //                                3
      'models:', //                                   4
      '  - key: x', //                                5
      '    tier: huge', //                            6
      'policy:', //                                   7
      '  retries: -1', //                             8
      '  bogus: true', //                             9
      'colour: blue', //                              10
      '',
    ].join('\n');
    const error = await configErrorOf(() => parseConfigText(text, file));
    expect(error.message.split('\n')).toEqual([
      `${file}:2:16: engine.temperature: expected a number from 0 to 2, got 3`,
      `${file}:3:8: engine.gpu: expected one of auto, false, cuda, vulkan, metal, got "yes"`,
      `${file}:6:11: models[0].tier: expected one of small, medium, large, got "huge"`,
      `${file}:8:12: policy.retries: expected a non-negative integer, got -1`,
      `${file}:9:3: policy.bogus: unknown key; expected one of sample_interval_ms, pressure, switch_down_after_ms, switch_up_after_ms, preload, retries, struggle, memory_headroom_gb, complexity, stay_up_turns, switch_cost_budget_ms, memory_wait_ms`,
      `${file}:10:1: colour: unknown key; expected one of models, fallback_chains, policy, engine, model_dirs, lmstudio, ui, context, hosts, keys`,
    ]);
    expect(error.problems.map((p) => [p.line, p.col])).toEqual([[2, 16], [3, 8], [6, 11], [8, 12], [9, 3], [10, 1]]);
  });

  it('points into the user file when it breaks a rule only together with the bundled file', async () => {
    const {home, env} = await freshHome();
    // Bundled: critical 7. Raising only `critical` above the bundled `elevated` breaks the order.
    const configPath = await writeUserFile(home, 'policy:\n  pressure:\n    ram_free_pct:\n      critical: 20\n');
    const error = await configErrorOf(() => loadConfig({configPath, env}));
    expect(error.message).toBe(`${configPath}:4:7: policy.pressure.ram_free_pct: elevated (15) must be greater than critical (20)`);
  });

  it('names the user file when loading it fails', async () => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(home, 'ui:\n  ascii: maybe\n');
    const error = await configErrorOf(() => loadConfig({configPath, env}));
    expect(error.message).toBe(`${configPath}:2:10: ui.ascii: expected true or false, got "maybe"`);
  });

  it('is a ConfigError when the --config file does not exist', async () => {
    const {home, env} = await freshHome();
    const configPath = path.join(home, 'missing.yaml');
    const error = await configErrorOf(() => loadConfig({configPath, env}));
    expect(error.message).toBe(`${configPath}: cannot read the config file given with --config: no such file`);
    expect(error.exitCode).toBe(2);
  });
});

describe('paths', () => {
  it('honours the XDG variables', () => {
    const paths = resolvePaths({HOME: '/home/u', XDG_CONFIG_HOME: '/x/config', XDG_DATA_HOME: '/x/data', XDG_STATE_HOME: '/x/state'}, 'linux');
    expect(paths).toEqual({
      configDir: '/x/config/mai',
      configFile: '/x/config/mai/models.yaml',
      dataDir: '/x/data/mai',
      stateDir: '/x/state/mai',
      modelsDir: '/x/data/mai/models',
      conversationsDir: '/x/state/mai/conversations',
      logFile: '/x/state/mai/events.jsonl',
    });
  });

  it.each([
    ['unset', {HOME: '/home/u'}],
    ['relative (the XDG spec says to ignore them)', {HOME: '/home/u', XDG_CONFIG_HOME: 'rel', XDG_DATA_HOME: 'rel', XDG_STATE_HOME: ''}],
  ])('falls back to the XDG defaults under HOME when the variables are %s', (_name, env) => {
    const paths = resolvePaths(env, 'linux');
    expect([paths.configFile, paths.modelsDir, paths.logFile]).toEqual([
      '/home/u/.config/mai/models.yaml',
      '/home/u/.local/share/mai/models',
      '/home/u/.local/state/mai/events.jsonl',
    ]);
  });

  it("never puts its files relative to the current folder when HOME is set but empty", () => {
    const paths = resolvePaths({HOME: ''}, 'linux');
    expect(path.isAbsolute(paths.dataDir)).toBe(true);
    expect(paths.dataDir).toBe(path.join(os.userInfo().homedir, '.local/share/mai'));
  });

  it('loads the user file and puts the data dir under the XDG variables of the given env', async () => {
    const {home} = await freshHome();
    const env = {HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg'), XDG_DATA_HOME: path.join(home, 'data')};
    const userFile = await writeUserFile(path.join(home, 'cfg', 'mai'), 'policy:\n  retries: 0\n', 'models.yaml');
    const {config, sources} = await loadConfig({env});
    expect(sources).toEqual([bundledConfigPath(), userFile]);
    expect(config.policy.retries).toBe(0);
    expect(config.modelDirs.at(-1)).toBe(path.join(home, 'data', 'mai', 'models'));
  });

  it('expands ~ to the home dir of the given env', async () => {
    const {home, env} = await freshHome();
    const configPath = await writeUserFile(home, 'model_dirs:\n  - "~"\n  - ~/models\n  - /abs/dir\n');
    const {config, paths} = await loadConfig({configPath, env});
    expect(config.modelDirs).toEqual([home, path.join(home, 'models'), '/abs/dir', paths.modelsDir]);
  });
});

describe('environment overrides', () => {
  it('appends MAI_MODELS_DIR (a list) and the data dir to model_dirs, without duplicates', async () => {
    const {home} = await freshHome();
    const env = {HOME: home, MAI_MODELS_DIR: ['/m/one', '~/two', '', '/m/one'].join(path.delimiter)};
    const {config, paths} = await loadConfig({env});
    expect(config.modelDirs).toEqual([
      path.join(home, '.lmstudio', 'models'),
      path.join(home, '.cache', 'lm-studio', 'models'),
      '/m/one',
      path.join(home, 'two'),
      paths.modelsDir,
    ]);
  });

  it.each([
    ['ws://10.0.0.2:1234', 'ws://10.0.0.2:1234'],
    ['http://10.0.0.2:1234/', 'ws://10.0.0.2:1234'],
    ['https://lms.example:443', 'wss://lms.example:443'],
  ])('LMSTUDIO_URL=%s sets lmstudio.url to %s', async (value, url) => {
    const {home} = await freshHome();
    const configPath = await writeUserFile(home, 'lmstudio:\n  url: ws://192.168.1.9:1234\n');
    const {config} = await loadConfig({configPath, env: {HOME: home, LMSTUDIO_URL: value}});
    expect(config.lmstudio).toEqual({url, enabled: true});
  });

  it('rejects an LMSTUDIO_URL that is not a URL', async () => {
    const {home} = await freshHome();
    const error = await configErrorOf(() => loadConfig({env: {HOME: home, LMSTUDIO_URL: '127.0.0.1:1234'}}));
    expect(error.message).toBe('LMSTUDIO_URL (environment): expected a ws://, wss://, http:// or https:// URL, got "127.0.0.1:1234"');
  });
});
