import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ConfigError, loadConfig, parseConfigText} from '../../src/config.js';

// `hosts:` in models.yaml: what a user writes, what mai makes of it, and every mistake as one
// FILE:LINE:COL line; a key written in the file is refused without being repeated.

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mai-hosts-config-'));
});
afterAll(async () => {
  await rm(root, {recursive: true, force: true});
});

function problemsOf(text: string): string {
  try {
    parseConfigText(text, 'my.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('hosts in the config', () => {
  it('reads hosts with their defaults; the bundled file has none', async () => {
    const home = path.join(root, 'home-1');
    await mkdir(home, {recursive: true});
    const file = path.join(home, 'hosts.yaml');
    await writeFile(
      file,
      [
        'hosts:',
        '  - name: gpu-box',
        '    kind: openai',
        '    url: http://10.0.0.5:8080/v1/',
        '    api_key_env: GPU_BOX_KEY',
        '    priority: 2',
        '    limits: {max_tier: large}',
        '  - name: studio',
        '    kind: lmstudio',
        '    url: http://192.168.1.20:1234',
        '    tls_verify: false',
        '',
      ].join('\n'),
    );
    const bundled = await loadConfig({env: {HOME: home}});
    expect(bundled.config.hosts).toEqual([]);
    const {config} = await loadConfig({env: {HOME: home}, configPath: file});
    expect(config.hosts).toEqual([
      {name: 'gpu-box', kind: 'openai', url: 'http://10.0.0.5:8080/v1', apiKeyEnv: 'GPU_BOX_KEY', priority: 2, limits: {maxTier: 'large'}, tlsVerify: true},
      {name: 'studio', kind: 'lmstudio', url: 'ws://192.168.1.20:1234', priority: 0, limits: {}, tlsVerify: false},
    ]);
  });

  it.each([
    [
      'a key written in the file',
      'hosts:\n  - name: gpu-box\n    kind: openai\n    url: http://gpu:8080\n    api_key: sk-live-abcdef0123456789\n',
      'my.yaml:5:14: hosts[0].api_key: a key is never written in the config file: put it in an environment variable and give its name as api_key_env',
    ],
    [
      'a key given where its variable is named',
      'hosts:\n  - name: gpu-box\n    kind: openai\n    url: http://gpu:8080\n    api_key_env: sk-live-abcdef0123456789\n',
      'my.yaml:5:18: hosts[0].api_key_env: must be the NAME of an environment variable (such as GPU_BOX_KEY), and this looks like a key itself',
    ],
    [
      'a password in the URL',
      'hosts:\n  - name: gpu-box\n    kind: openai\n    url: https://me:hunter2hunter2@gpu:8080\n',
      'my.yaml:4:10: hosts[0].url: the URL holds a user name or password',
    ],
    ['a missing url', 'hosts:\n  - name: gpu-box\n    kind: openai\n', 'my.yaml:2:5: hosts[0].url: missing, expected an http:// or https:// URL'],
    ['an unknown kind', 'hosts:\n  - name: gpu-box\n    kind: ollama\n    url: http://gpu:11434\n', 'my.yaml:3:11: hosts[0].kind: expected one of lmstudio, openai, got "ollama"'],
    ['the name local', 'hosts:\n  - name: local\n    kind: openai\n    url: http://gpu:8080\n', 'my.yaml:2:11: hosts[0].name: "local" is the machine mai runs on'],
    [
      'two hosts of one name',
      'hosts:\n  - {name: a, kind: openai, url: "http://x:1"}\n  - {name: a, kind: openai, url: "http://y:1"}\n',
      'my.yaml:3:12: hosts[1].name: duplicate host name "a" (also hosts[0])',
    ],
    ['an unknown limit', 'hosts:\n  - name: a\n    kind: openai\n    url: http://x:1\n    limits: {max_gpus: 2}\n', 'my.yaml:5:14: hosts[0].limits.max_gpus: unknown key; expected max_tier'],
  ])('refuses %s with FILE:LINE:COL', (_what, text, expected) => {
    expect(problemsOf(text)).toContain(expected);
  });

  it('never repeats a key written in the file in its message', () => {
    const secret = 'sk-live-abcdef0123456789';
    expect(problemsOf(`hosts:\n  - name: a\n    kind: openai\n    url: http://x:1\n    api_key: ${secret}\n`)).not.toContain(secret);
    expect(problemsOf(`hosts:\n  - name: a\n    kind: openai\n    url: http://x:1\n    api_key_env: ${secret}\n`)).not.toContain(secret);
    expect(problemsOf(`hosts:\n  - name: a\n    kind: openai\n    url: https://me:${secret}@x:1\n`)).not.toContain(secret);
  });
});
