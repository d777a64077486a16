import {spawn} from 'node:child_process';
import {mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {closedPortUrl, createSandbox, keyOf, type Sandbox} from './support/sandbox.js';

// The CLI as a user runs it: the built `mai` in a subprocess, with an empty HOME.

const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

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
    throw new Error('dist/src/cli.js is missing: run `npm run build` (npm test does) before these tests');
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

  it('answers with --json: text, model and token counts', async () => {
    const {code, stdout, stderr} = await run(['ask', '--json', 'hello'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as {text: string; model: string; tokens: {prompt: number; completion: number}; interrupted: boolean};
    expect(answer.text).toMatch(/^Greetings from mai-demo-large/);
    expect(answer.model).toBe('mai-demo-large');
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
    expect(status.selectedModel.key).toBe('mai-demo-large');
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

  it('falls back when the model asked for crashes the engine, and says so on stderr', async () => {
    const both = await createSandbox(['duplicate-token', 'tiny']);
    try {
      const {code, stdout, stderr} = await run(['ask', '--model', keyOf('duplicate-token'), 'hi'], both.env);
      expect(code).toBe(0);
      expect(stdout).toContain('Tiny test model here');
      expect(stderr).toContain(`${keyOf('duplicate-token')} could not be loaded`);
      expect(stderr).toContain('GGML_ASSERT');
    } finally {
      await both.cleanup();
    }
  });
});
