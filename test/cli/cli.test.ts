import {spawn} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {TEST_MODELS} from '../support/models.js';
import {closedPortUrl, createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';

// The CLI as a user runs it: the built `mai` in a subprocess, with an empty HOME.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));

type Run = {code: number | null; stdout: string; stderr: string};

function run(args: readonly string[], env: NodeJS.ProcessEnv, options: {input?: string; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void} = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
    child.stdin.end(options.input ?? '');
  });
}

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await stat(CLI).catch(() => {
    throw new Error('dist/bin/cli.js is missing: run `npm run build` (npm test does) before these tests');
  });
  home = await mkdtemp(path.join(os.tmpdir(), 'mai-cli-'));
  // Only HOME: mai must find its XDG dirs under it by itself. LM Studio is "not running" (a port
  // where nothing listens), whatever runs on this machine.
  env = {PATH: process.env.PATH, HOME: home, LMSTUDIO_URL: await closedPortUrl()};
});

afterAll(async () => {
  await rm(home, {recursive: true, force: true});
});

describe('mai on a machine with no models', () => {
  it('lists its commands in --help', async () => {
    const {code, stdout} = await run(['--help'], env);
    expect(code).toBe(0);
    for (const command of ['chat', 'ask', 'status', 'models', 'switch', 'config']) expect(stdout).toContain(command);
    expect(stdout).toContain('Examples:');
  });

  it('ends quietly when the reader of its output has gone (`mai --help | head -1`)', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], {env, stdio: ['ignore', 'pipe', 'pipe']});
    // The read end closes long before Node has started: the help's write meets a broken pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it.each(['ask', 'status', 'models', 'switch', 'config', 'chat'])('has help with an example for %s', async (command) => {
    const {code, stdout} = await run([command, '--help'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Examples:\n\s+\$ mai/);
  });

  it('forges the three demo models on first run and lists them as demos', async () => {
    const {code, stdout} = await run(['models', '--json'], env);
    expect(code).toBe(0);
    const {models} = JSON.parse(stdout) as {models: {key: string; tier: string; demo: boolean; fits: boolean; source: string}[]};
    expect(models.map((model) => [model.key, model.tier, model.demo])).toEqual([
      ['mai-demo-large', 'large', true],
      ['mai-demo-medium', 'medium', true],
      ['mai-demo-small', 'small', true],
    ]);
    expect(models.every((model) => model.source === 'embedded' && model.fits)).toBe(true);
    expect(await readdir(path.join(home, '.local/share/mai/models'))).toHaveLength(3);
  });

  it('marks demo models in the human listing', async () => {
    const {code, stdout} = await run(['models'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/mai-demo-small\s+embedded\s+small.*demo model/);
  });

  it('answers with --json: text, model and token counts, and the switches made for it', async () => {
    const {code, stdout, stderr} = await run(['ask', '--json', 'hello'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as {
      text: string;
      model: string;
      tokens: {prompt: number; completion: number};
      interrupted: boolean;
      switches: {from: string | null; to: string; reason: string; kind: string}[];
      fallbacks: unknown[];
    };
    // A simple message goes to the fastest tier that is enough.
    expect(answer.text).toMatch(/^Hello! I am mai-demo-small/);
    expect(answer.model).toBe('mai-demo-small');
    expect(answer.switches).toEqual([expect.objectContaining({from: null, to: 'mai-demo-small', kind: 'task', reason: 'the message asks for small: mai-demo-small'})]);
    expect(answer.fallbacks).toEqual([]);
    expect(answer.tokens.prompt).toBeGreaterThan(0);
    expect(answer.tokens.completion).toBeGreaterThan(10);
    expect(answer.interrupted).toBe(false);
  });

  it('reads the question from stdin with -', async () => {
    const {code, stdout} = await run(['ask', '-', '--model', 'mai-demo-small'], env, {input: 'what are you?\n'});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Hello! I am mai-demo-small/);
  });

  it('reports status as one JSON document', async () => {
    const {code, stdout} = await run(['status', '--json'], env);
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as {
      selectedModel: {key: string; reason: string};
      resources: {cpuPct: number; memory: {totalBytes: number; availableBytes: number}; maiRssBytes: number};
      backends: {id: string; available: boolean}[];
    };
    expect(status.selectedModel).toEqual({key: 'mai-demo-small', reason: 'ready for a first message'});
    expect(status.resources.memory.availableBytes).toBeGreaterThan(0);
    expect(status.resources.memory.totalBytes).toBeGreaterThanOrEqual(status.resources.memory.availableBytes);
    expect(status.resources.cpuPct).toBeGreaterThanOrEqual(0);
    expect(status.resources.maiRssBytes).toBeGreaterThan(0);
    expect(status.backends).toContainEqual({id: 'embedded', kind: 'embedded', available: true});
  });

  it('remembers the model chosen with `mai switch`', async () => {
    const switched = await run(['switch', 'mai-demo-small', '--json'], env);
    expect(switched.code).toBe(0);
    expect(JSON.parse(switched.stdout)).toMatchObject({preferredModel: 'mai-demo-small', loaded: true});
    const status = JSON.parse((await run(['status', '--json'], env)).stdout) as {preferredModel: string; selectedModel: {key: string}};
    expect(status).toMatchObject({preferredModel: 'mai-demo-small', selectedModel: {key: 'mai-demo-small'}});
    const answer = JSON.parse((await run(['ask', '--json', 'hi'], env)).stdout) as {model: string};
    expect(answer.model).toBe('mai-demo-small');
    const preferences = await stat(path.join(home, '.local/state/mai/preferences.json'));
    expect(preferences.mode & 0o777).toBe(0o600);
  });

  it('writes its event log privately', async () => {
    const log = await stat(path.join(home, '.local/state/mai/events.jsonl'));
    expect(log.mode & 0o777).toBe(0o600);
  });
});

describe('mai with bad input', () => {
  it('exits 2 on an unknown flag, without a stack trace', async () => {
    const {code, stderr} = await run(['models', '--bogus'], env);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--bogus'");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown model for switch, and suggests close names', async () => {
    const {code, stderr} = await run(['switch', 'demo-smal'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('no model named demo-smal');
    expect(stderr).toContain('mai-demo-small');
  });

  it('names file, line and column of a malformed config, exit 2', async () => {
    const file = path.join(home, 'bad.yaml');
    await writeFile(file, 'policy:\n  retries: two\n');
    const {code, stderr} = await run(['--config', file, 'config', '--check'], env);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:2:12: policy.retries`);
  });

  it('refuses to open the chat without a terminal, exit 2', async () => {
    const {code, stderr} = await run(['chat'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('needs a terminal');
  });

  it('exits 2 when asked nothing', async () => {
    const {code, stderr} = await run(['ask', '-'], env, {input: '   \n'});
    expect(code).toBe(2);
    expect(stderr).toContain('nothing to ask');
  });
});

describe('mai interrupted', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox(['looping']);
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('stops on Ctrl+C (SIGINT) with exit 130, keeping what was printed', async () => {
    let sent = false;
    const {code, stdout} = await run(['ask', 'talk forever'], sandbox.env, {
      onStdout: (text, child) => {
        if (!sent && text.length > 200) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(code).toBe(130);
    expect(stdout).toContain('I repeat myself forever');
    expect(stdout.length).toBeGreaterThan(200);
  });

  it('R2: falls back when the model asked for crashes the engine, says so on stderr and in --json, and never loads it twice', async () => {
    const both = await createSandbox(['duplicate-token', 'tiny']);
    const broken = keyOf('duplicate-token');
    try {
      const {code, stdout, stderr} = await run(['ask', '--json', '--model', broken, 'hi'], both.env);
      expect(code).toBe(0);
      const answer = JSON.parse(stdout) as {text: string; model: string; fallbacks: {from: string; to: string; reason: string}[]};
      expect(answer).toMatchObject({model: 'test-tiny', text: expect.stringContaining('Tiny test model here')});
      expect(answer.fallbacks).toEqual([{from: broken, to: 'test-tiny', reason: expect.stringContaining('GGML_ASSERT')}]);
      expect(stderr).toMatch(new RegExp(`^mai: ${broken} can't be used: .*GGML_ASSERT.*; answered with test-tiny$`, 'm'));
      const events = (await readFile(path.join(both.home, '.local/state/mai/events.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as {event: string; model?: string});
      expect(events.filter((event) => event.event === 'load-failed' && event.model === broken)).toHaveLength(1);
    } finally {
      await both.cleanup();
    }
  });

  it('R2: names a corrupt file asked for, answers with another (exit 0), or fails with --strict (exit 1)', async () => {
    const both = await createSandbox(['garbage', 'tiny']);
    const corrupt = keyOf('garbage');
    try {
      // Its row says why, and shows no context or estimate it does not know (not "0" and "0B").
      const listed = await run(['models'], both.env);
      const row = (listed.stdout.split('\n').find((line) => line.startsWith(corrupt)) ?? '').split(/\s{2,}/);
      const header = (listed.stdout.split('\n')[0] ?? '').split(/\s{2,}/);
      expect(row[header.indexOf('CONTEXT')]).toBe('-');
      expect(row[header.indexOf('NEEDS')]).toBe('-');
      expect(row.at(-1)).toMatch(/^unusable: /);
      const answered = await run(['ask', '--json', '--model', corrupt, 'hi'], both.env);
      expect(answered.code).toBe(0);
      const answer = JSON.parse(answered.stdout) as {model: string; fallbacks: {from: string; to: string; reason: string}[]};
      expect(answer.model).toBe('test-tiny');
      expect(answer.fallbacks).toEqual([{from: corrupt, to: 'test-tiny', reason: expect.stringMatching(/GGUF/i)}]);
      expect(answered.stderr).toMatch(new RegExp(`^mai: ${corrupt} can't be used: .+; answered with test-tiny$`, 'm'));

      const strict = await run(['ask', '--strict', '--model', corrupt, 'hi'], both.env);
      expect(strict.code).toBe(1);
      expect(strict.stdout).toBe('');
      expect(strict.stderr).toMatch(new RegExp(`^mai: ${corrupt} can't be used: `, 'm'));
      expect(strict.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await both.cleanup();
    }
  });

  it('R2: a GGUF cut short in its tensor data is listed unusable with its name and size, skipped for another model, and fails with --strict (exit 1)', async () => {
    const both = await createSandbox(['truncated', 'tiny']);
    const cut = keyOf('truncated');
    // What a user can read: the file's name, that it is truncated, and how much of it is there.
    const reason = new RegExp(`truncated: ${TEST_MODELS.truncated.fileName.replace('.', '\\.')} has \\d+K of the [\\d.]+M its tensors need`);
    try {
      const models = await run(['models'], both.env);
      expect(models.code).toBe(0);
      const row = models.stdout.split('\n').find((line) => line.startsWith(cut)) ?? '';
      expect(row).toMatch(new RegExp(`unusable: ${reason.source}`));
      const listed = JSON.parse((await run(['models', '--json'], both.env)).stdout) as {models: {key: string; unusable: string | null}[]};
      expect(listed.models.find((model) => model.key === cut)?.unusable).toMatch(reason);

      const answered = await run(['ask', '--json', '--model', cut, 'hi'], both.env);
      expect(answered.code).toBe(0);
      const answer = JSON.parse(answered.stdout) as {text: string; model: string; fallbacks: {from: string; to: string; reason: string}[]};
      expect(answer).toMatchObject({model: 'test-tiny', text: expect.stringContaining('Tiny test model here')});
      expect(answer.fallbacks).toEqual([{from: cut, to: 'test-tiny', reason: expect.stringMatching(reason)}]);
      expect(answered.stderr).toMatch(new RegExp(`^mai: ${cut} can't be used: ${reason.source}.*; answered with test-tiny$`, 'm'));

      const strict = await run(['ask', '--strict', '--model', cut, 'hi'], both.env);
      expect(strict.code).toBe(1);
      expect(strict.stdout).toBe('');
      expect(strict.stderr).toMatch(new RegExp(`^mai: ${cut} can't be used: ${reason.source}`, 'm'));
      for (const output of [models.stderr, answered.stderr, strict.stderr]) expect(output).not.toMatch(/\n\s+at |llama_model_load/);
    } finally {
      await both.cleanup();
    }
  });

  it('lists the last switches in mai status, newest last', async () => {
    const both = await createSandbox(['demo-small', 'demo-large']);
    try {
      expect((await run(['ask', 'hi'], both.env)).code).toBe(0);
      expect((await run(['ask', 'Explain step by step why quicksort is O(n log n) on average, and prove it.'], both.env)).code).toBe(0);
      const status = JSON.parse((await run(['status', '--json'], both.env)).stdout) as {lastSwitches: {from: string | null; to: string; kind: string; reason: string}[]; autoSwitch: boolean};
      expect(status.autoSwitch).toBe(true);
      expect(status.lastSwitches.map((record) => [record.from, record.to, record.kind])).toEqual([
        [null, 'mai-demo-small', 'task'],
        [null, 'mai-demo-large', 'task'],
      ]);
      const human = await run(['status'], both.env);
      expect(human.stdout).toMatch(/switched {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}– → mai-demo-large in [\d.]+ s: the message asks for (medium|large)/);
    } finally {
      await both.cleanup();
    }
  });
});

describe('saved conversations', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox(['tiny', 'slow']);
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('R4: saved conversations survive kill -9 in the middle of a reply: on --resume every completed message is there, the partial one marked interrupted', async () => {
    const first = await run(['ask', '--json', '--model', keyOf('tiny'), 'first question'], sandbox.env);
    expect(first.code).toBe(0);
    const {conversation: id} = JSON.parse(first.stdout) as {conversation: string};
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);

    // The slow model writes a word every ~50 ms: kill as soon as the first words are out.
    let killed = false;
    const crashed = await run(['ask', '--resume', id, '--model', keyOf('slow'), 'tell me slowly'], sandbox.env, {
      onStdout: (text, child) => {
        if (!killed && text.split(' ').length > 3) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(crashed.code).toBeNull();
    expect(TEST_MODELS.slow.message?.startsWith(crashed.stdout)).toBe(true);
    expect(crashed.stdout.length).toBeLessThan(TEST_MODELS.slow.message?.length ?? 0);

    const listed = await run(['chat', '--list', '--json'], sandbox.env);
    const {conversations} = JSON.parse(listed.stdout) as {conversations: {id: string; messages: number; firstLine: string}[]};
    expect(conversations).toEqual([expect.objectContaining({id, messages: 4, firstLine: 'first question'})]);

    const after = await run(['ask', '--resume', 'latest', '--json', '--model', keyOf('tiny'), 'are you back?'], sandbox.env);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({conversation: id, text: TEST_MODELS.tiny.message});

    const mai = await Mai.create({env: sandbox.env, forgeDemoModels: false, resume: id});
    try {
      const history = mai.getConversationHistory();
      expect(history.map((message) => [message.role, message.interrupted ?? false])).toEqual([
        ['user', false],
        ['assistant', false],
        ['user', false],
        ['assistant', true],
        ['user', false],
        ['assistant', false],
      ]);
      expect(history[1]?.text).toBe(TEST_MODELS.tiny.message);
      // What the crash cut off is kept as far as it reached the file (the first words at once,
      // then every 200 ms): a start of what was printed.
      const partial = history[3]?.text ?? '';
      expect(partial.length).toBeGreaterThan(0);
      expect(crashed.stdout.startsWith(partial)).toBe(true);
      expect(history[4]?.text).toBe('are you back?');
    } finally {
      await mai.shutdown();
    }
  });

  it('are listed for people: ID, last activity, message count and first line', async () => {
    const {code, stdout} = await run(['chat', '--list'], sandbox.env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ID\s+LAST ACTIVE\s+MESSAGES\s+FIRST LINE\n\d{8}-\d{6}-[0-9a-f]{4}\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+6\s+first question\n/);
    expect(stdout).toContain('mai chat --resume');
  });

  it('an unknown conversation ID is a usage error, exit 2, without a stack trace', async () => {
    const {code, stderr} = await run(['ask', '--resume', 'nope', 'hi'], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toBe('mai: no conversation "nope" (run `mai chat --list` to see them)\n');
  });
});
