import {spawn} from 'node:child_process';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {expectNoCommunicationWarnings, startLMStudio, type EmulatedLMStudio} from '../support/lmstudio.js';
import {TEST_MODELS} from '../support/models.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';

// The built `mai` in a subprocess with LM Studio (the emulator) at LMSTUDIO_URL, or not running.
// Whatever the SDK would print must not reach stdout (it would corrupt --json) or stderr.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));

type Run = {code: number | null; stdout: string; stderr: string};

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
  });
}

type ModelJson = {key: string; source: string; sources: {backend: string; kind: string; key: string}[]; loadedBy: string | null};

describe('mai with LM Studio running', () => {
  let sandbox: Sandbox;
  let lmstudio: EmulatedLMStudio;

  beforeAll(async () => {
    sandbox = await createSandbox(['demo-small']);
    // LM Studio's downloads are in ~/.lmstudio/models, which mai scans too: test-tiny is in both.
    lmstudio = await startLMStudio(['tiny', 'slow'], {home: sandbox.home, modelKeys: {'test-slow': 'slow-chat-7b'}});
    sandbox.env.LMSTUDIO_URL = lmstudio.emulator.url;
  });

  afterEach(() => {
    expectNoCommunicationWarnings(lmstudio.emulator);
  });

  afterAll(async () => {
    await lmstudio.close();
    await sandbox.cleanup();
  });

  it('lists the source of each model; a file LM Studio also serves is one model with both', async () => {
    const {code, stdout, stderr} = await run(['models', '--json'], sandbox.env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const {models} = JSON.parse(stdout) as {models: ModelJson[]};
    const byKey = new Map(models.map((model) => [model.key, model]));
    expect(models).toHaveLength(3);
    expect(byKey.get('test-tiny')).toMatchObject({
      source: 'lmstudio',
      sources: [
        {backend: 'lmstudio', kind: 'lmstudio', key: 'test-tiny'},
        {backend: 'embedded', kind: 'embedded', key: 'test-tiny'},
      ],
    });
    expect(byKey.get('test-slow')?.sources.map((source) => source.key)).toEqual(['slow-chat-7b', 'test-slow']);
    expect(byKey.get('mai-demo-small')).toMatchObject({source: 'embedded', sources: [{backend: 'embedded'}]});

    const human = await run(['models'], sandbox.env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/test-tiny\s+lmstudio\+embedded\s+small/);
    expect(human.stdout).toMatch(/mai-demo-small\s+embedded\s+small/);
  });

  it("shows LM Studio's version and state in mai status", async () => {
    const {code, stdout} = await run(['status'], sandbox.env);
    expect(code).toBe(0);
    expect(stdout).toContain(`backend    lmstudio: LM Studio 0.3.99-emulator, connected at ${lmstudio.emulator.url}`);
    const json = JSON.parse((await run(['status', '--json'], sandbox.env)).stdout) as {backends: unknown[]};
    expect(json.backends).toContainEqual({
      id: 'lmstudio',
      kind: 'lmstudio',
      available: true,
      state: 'connected',
      url: lmstudio.emulator.url,
      version: '0.3.99-emulator',
      detail: null,
    });
  });

  it('answers through LM Studio with one clean JSON document, and unloads what it loaded', async () => {
    const {code, stdout, stderr} = await run(['ask', '--json', '--model', 'test-slow', 'hello'], sandbox.env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({model: 'test-slow', text: TEST_MODELS.slow.message, interrupted: false, stopReason: 'eos'});
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(1);
    expect(lmstudio.emulator.loaded()).toEqual([]);
  });

  it('falls back when LM Studio fails to load the model asked for, and says why on stderr in one line', async () => {
    lmstudio.emulator.faults = {failLoad: {modelKey: 'slow-chat-7b'}};
    try {
      const {code, stdout, stderr} = await run(['ask', '--model', 'test-slow', 'hello'], sandbox.env);
      expect(code).toBe(0);
      expect(stdout.trim()).toMatch(/^(Tiny test model here|Hello! I am mai-demo-small)/);
      expect(stderr).toMatch(/^mai: test-slow can't be used: LM Studio: Failed to load model: Error loading model\..*; answered with (test-tiny|mai-demo-small)$/m);
      expect(stderr).not.toMatch(/[┌│└]|\x1b/);
    } finally {
      lmstudio.emulator.faults = {};
    }
  });
});

describe('mai with LM Studio not running', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox(['demo-small']);
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('lists, answers and reports status on embedded models, and prints nothing about LM Studio', async () => {
    const models = await run(['models', '--json'], sandbox.env);
    expect(models.stderr).toBe('');
    expect(models.code).toBe(0);
    expect((JSON.parse(models.stdout) as {models: ModelJson[]}).models.map((model) => model.key)).toEqual(['mai-demo-small']);

    const ask = await run(['ask', '--json', 'hi'], sandbox.env);
    expect(ask.stderr).toBe('');
    expect(JSON.parse(ask.stdout)).toMatchObject({model: 'mai-demo-small'});

    const status = await run(['status'], sandbox.env);
    expect(status.stdout).toContain(`backend    lmstudio: LM Studio not running at ${sandbox.env.LMSTUDIO_URL} (start it with \`lms server start\`, or set LMSTUDIO_URL)`);
  });

  it('does not look for LM Studio at all when it is disabled in the config', async () => {
    const config = path.join(sandbox.home, 'no-lmstudio.yaml');
    await writeFile(config, 'lmstudio:\n  enabled: false\n');
    const {code, stdout} = await run(['--config', config, 'status', '--json'], sandbox.env);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as {backends: {id: string}[]}).backends.map((backend) => backend.id)).toEqual(['embedded']);
  });

  it('reports a bad LMSTUDIO_URL as a usage error, without a stack trace', async () => {
    const {code, stderr} = await run(['models'], {...sandbox.env, LMSTUDIO_URL: 'localhost:1234'});
    expect(code).toBe(2);
    expect(stderr).toContain('LMSTUDIO_URL (environment): expected a ws://, wss://, http:// or https:// URL, got "localhost:1234"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
