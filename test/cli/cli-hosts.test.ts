import {spawn} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startOpenAIServer, type OpenAIServer} from '../support/openai-server.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';

// `mai hosts` and hosts in `mai status`, as the built CLI in a subprocess: an OpenAI-compatible test
// server as a host whose key comes from the environment; the key never printed; a key written in
// the config refused with exit 2 and FILE:LINE:COL; plain http to another machine warned about once.

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const SECRET = 'sk-cli-0a1b2c3d4e5f60718293a4b5c6d7e8f9';

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

/** An address of this machine that is not loopback (the server is not there: refused at once). */
function nonLoopbackAddress(): string {
  const found = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal);
  return found?.address ?? '10.255.255.1';
}

describe('mai hosts', () => {
  let sandbox: Sandbox;
  let server: OpenAIServer;
  let config: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sandbox = await createSandbox(['demo-small']);
    server = await startOpenAIServer({models: ['demo-medium'], threads: 1, faults: {requireKey: SECRET}});
    config = path.join(sandbox.home, 'hosts.yaml');
    await writeFile(config, `hosts:\n  - name: gpu-box\n    kind: openai\n    url: ${server.url}\n    api_key_env: GPU_BOX_KEY\n    priority: 1\n`);
    env = {...sandbox.env, GPU_BOX_KEY: SECRET};
  });

  afterAll(async () => {
    await server.close();
    await sandbox.cleanup();
  });

  it('--json lists local and the host: state, latency, models; the key is sent, never printed', async () => {
    const {code, stdout, stderr} = await run(['--config', config, 'hosts', '--json'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain(SECRET);
    const {hosts} = JSON.parse(stdout) as {hosts: {name: string; kind: string; state: string; latencyMs: number | null; keyed: boolean; models: {key: string}[]}[]};
    expect(hosts.map((host) => [host.name, host.kind, host.state, host.models.map((model) => model.key)])).toEqual([
      ['local', 'local', 'up', ['mai-demo-small']],
      ['gpu-box', 'openai', 'up', ['mai-demo-medium']],
    ]);
    expect(hosts[1]?.keyed).toBe(true);
    expect(hosts[1]?.latencyMs).toEqual(expect.any(Number));
    expect(server.authorizations).toContain(`Bearer ${SECRET}`);

    const listed = await run(['--config', config, 'models', '--json'], env);
    expect(listed.code).toBe(0);
    const {models} = JSON.parse(listed.stdout) as {models: {key: string; host: string; fits: boolean; fitUnknown: boolean}[]};
    expect(models.map((model) => [model.key, model.host, model.fits, model.fitUnknown])).toEqual([
      ['mai-demo-medium', 'gpu-box', true, true],
      ['mai-demo-small', 'local', true, false],
    ]);
  });

  it('the human table, and hosts in mai status', async () => {
    const table = await run(['--config', config, 'hosts'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^HOST\s+KIND\s+STATE\s+LATENCY\s+URL\s+MODELS$/m);
    expect(table.stdout).toMatch(/^gpu-box\s+openai-compatible\s+connected\s+[\d.]+ ms\s+http:\/\/127\.0\.0\.1:\d+\s+mai-demo-medium$/m);
    const status = await run(['--config', config, 'status', '--json'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain(SECRET);
    const document = JSON.parse(status.stdout) as {hosts: {name: string; state: string}[]};
    expect(document.hosts.map((host) => [host.name, host.state])).toEqual([
      ['local', 'up'],
      ['gpu-box', 'up'],
    ]);
    const human = await run(['--config', config, 'status'], env);
    expect(human.stdout).toMatch(/^host {7}gpu-box: connected, [\d.]+ ms, 1 model at http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it('a refused key: the host is down, says which variable, never the key', async () => {
    const {code, stdout, stderr} = await run(['--config', config, 'hosts', '--json'], {...env, GPU_BOX_KEY: 'sk-wrong-key-000000000000000000'});
    expect(code).toBe(0);
    const {hosts} = JSON.parse(stdout) as {hosts: {name: string; state: string; detail: string | null}[]};
    expect(hosts[1]).toMatchObject({name: 'gpu-box', state: 'down'});
    expect(hosts[1]?.detail).toContain('GPU_BOX_KEY');
    expect(stdout + stderr).not.toContain('sk-wrong-key');
  });

  it('plain http to another machine: one warning on stderr that traffic is unencrypted', async () => {
    const remote = path.join(sandbox.home, 'remote.yaml');
    await writeFile(remote, `hosts:\n  - {name: attic, kind: openai, url: "http://${nonLoopbackAddress()}:9"}\n  - {name: here, kind: openai, url: "${server.url}"}\n`);
    const {code, stdout, stderr} = await run(['--config', remote, 'hosts', '--json'], env);
    expect(code).toBe(0);
    const warnings = stderr.split('\n').filter((line) => line.includes('not encrypted'));
    expect(warnings).toEqual([expect.stringMatching(/^mai: attic: http:\/\/[\d.]+:9 is not encrypted: your conversation crosses the network/)]);
    expect(JSON.parse(stdout)).toMatchObject({hosts: [{name: 'local'}, {name: 'attic', state: 'down'}, {name: 'here'}]});
  });

  it('a key written in the config file: exit 2 with FILE:LINE:COL, the key not repeated', async () => {
    const dir = path.join(sandbox.home, 'bad');
    await mkdir(dir, {recursive: true});
    const file = path.join(dir, 'models.yaml');
    await writeFile(file, `hosts:\n  - name: gpu-box\n    kind: openai\n    url: http://127.0.0.1:9\n    api_key: ${SECRET}\n`);
    for (const args of [['hosts'], ['config', '--check'], ['ask', 'hi']]) {
      const {code, stdout, stderr} = await run(['--config', file, ...args], env);
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}:5:14: hosts[0].api_key: a key is never written in the config file`);
      expect(stderr).not.toContain('at ');
      expect(stdout + stderr).not.toContain(SECRET);
    }
  });
});
