import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
import {isModelError} from '../../src/backends/model-error.js';
import {TEST_MODELS} from '../support/models.js';
import {processExists, residentBytes} from '../support/processes.js';
import {createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// The embedded engine for real: forged GGUF files, node-llama-cpp in engine host processes. What
// every backend does (stream, abort, count, unload) is in backend-contract.test.ts; this is the rest.

let sandbox: Sandbox;
let backend: EmbeddedBackend;

beforeAll(async () => {
  sandbox = await createSandbox(['demo-small', 'demo-large', 'truncated', 'garbage', 'duplicate-token']);
  backend = new EmbeddedBackend({modelDirs: [sandbox.modelDir], threads: 1, gpu: false, maxTokens: 256, temperature: 0.7});
});

afterAll(async () => {
  await backend.dispose();
  await sandbox.cleanup();
});

describe('embedded backend', () => {
  it('lists every file with what its header says, and the broken ones as unusable with a reason', async () => {
    const models = await backend.listModels();
    const byKey = new Map(models.map((model) => [model.key, model]));
    expect(byKey.get('mai-demo-small')).toMatchObject({demo: true, tier: 'small', contextLength: 1024, arch: 'llama', quant: 'F32'});
    expect(byKey.get('mai-demo-small')?.unusable).toBeUndefined();
    expect(byKey.get(keyOf('truncated'))?.unusable).toMatch(/truncated/);
    expect(byKey.get(keyOf('garbage'))?.unusable).toMatch(/not a readable GGUF/);
    // A file that aborts llama.cpp looks fine from its header: only loading it tells.
    expect(byKey.get(keyOf('duplicate-token'))?.unusable).toBeUndefined();
  });

  it('gives all of the memory back on unload', async () => {
    const before = process.memoryUsage.rss();
    const handle = await backend.load('mai-demo-large', {contextLength: 4096});
    await backend.respond(handle, [{role: 'user', content: 'warm up every layer'}]);
    const pid = handle.pid as number;
    const engine = residentBytes(pid);
    // The weights (138 MB) are resident in the engine process while it is loaded.
    expect(engine).toBeGreaterThan(130 * 1024 ** 2);
    await backend.unload(handle);
    expect(processExists(pid)).toBe(false);
    expect(residentBytes(pid)).toBe(0);
    // And the UI process never held them: its own RSS stays near where it was.
    expect(process.memoryUsage.rss() - before).toBeLessThan(40 * 1024 ** 2);
  });

  it('marks a model unusable, with the reason, when it crashes the engine while loading', async () => {
    const key = keyOf('duplicate-token');
    const error = await backend.load(key, {contextLength: 512}).catch((e: unknown) => e);
    expect(isModelError(error, 'unusable')).toBe(true);
    expect((error as Error).message).toMatch(/GGML_ASSERT|SIGABRT|134/);
    const listed = (await backend.listModels()).find((model) => model.key === key);
    expect(listed?.unusable).toMatch(/crashed while loading/);
    // The backend (and this process) carry on.
    const handle = await backend.load('mai-demo-small', {contextLength: 1024});
    expect((await backend.respond(handle, [{role: 'user', content: 'still there?'}])).text).toBe(TEST_MODELS['demo-small'].message);
    await backend.unload(handle);
  });

  it('keeps a spare engine ready when asked, loads the next model in it, and stops it on dispose', async () => {
    const spareBackend = new EmbeddedBackend({modelDirs: [sandbox.modelDir], threads: 1, gpu: false, maxTokens: 64, temperature: 0.7, keepSpareEngine: true});
    try {
      const first = await spareBackend.load('mai-demo-small', {contextLength: 1024});
      const spare = spareBackend.spareEngine();
      expect(spare?.pid).toBeGreaterThan(0);
      expect(spare?.pid).not.toBe(first.pid);
      await spareBackend.unload(first);
      const second = await spareBackend.load('mai-demo-large', {contextLength: 4096});
      expect(second.pid).toBe(spare?.pid);
      expect((await spareBackend.respond(second, [{role: 'user', content: 'hi'}])).text).toBe(TEST_MODELS['demo-large'].message);
      const next = spareBackend.spareEngine()?.pid as number;
      expect(processExists(next)).toBe(true);
      await spareBackend.dispose();
      // dispose kills the spare engine without waiting for it to exit; the loaded one it stops.
      await waitFor(() => !processExists(next), {what: `the spare engine (pid ${next}) to exit`});
      expect(processExists(second.pid as number)).toBe(false);
    } finally {
      await spareBackend.dispose();
    }
  });

  it('refuses corrupt files with a classified error instead of loading them', async () => {
    for (const model of ['truncated', 'garbage'] as const) {
      const error = await backend.load(keyOf(model), {contextLength: 512}).catch((e: unknown) => e);
      expect(isModelError(error, 'unusable')).toBe(true);
    }
  });

  it('reports a model the engine cannot load, when the header check did not catch it', async () => {
    // Past the header check: the truncated file handed to the engine directly must fail cleanly.
    const {EngineHostProcess} = await import('../../src/backends/embedded/engine-host-process.js');
    const path = `${sandbox.modelDir}/${TEST_MODELS.truncated.fileName}`;
    const error = await EngineHostProcess.start('t', {threads: 1, gpu: false}, {type: 'load', path, contextSize: 512, chatTemplate: 'chatml'}).catch(
      (e: unknown) => e,
    );
    expect(isModelError(error, 'unusable')).toBe(true);
    expect((error as Error).message).toMatch(/load/i);
  });

  it('ends an engine that stops answering once it is given work, though an idle one is pinged only now and then', async () => {
    const {EngineHostProcess} = await import('../../src/backends/embedded/engine-host-process.js');
    const path = `${sandbox.modelDir}/${TEST_MODELS['demo-small'].fileName}`;
    // Idle, the next ping would be a minute away: only the work asked for brings it forward.
    const host = await EngineHostProcess.start(
      'mai-demo-small',
      {threads: 1, gpu: false},
      {type: 'load', path, contextSize: 512, chatTemplate: 'chatml'},
      {heartbeatMs: 100, idleHeartbeatMs: 60_000, heartbeatTimeoutMs: 1000},
    );
    const pid = host.pid as number;
    try {
      await waitFor(() => host.rssBytes > 0, {what: 'the first ping to bring the engine RSS'});
      process.kill(pid, 'SIGSTOP');
      const error = await host.countTokens(['hello']).catch((e: unknown) => e);
      expect(isModelError(error, 'crashed')).toBe(true);
      expect((error as Error).message).toMatch(/stopped answering for 1000 ms/);
      await waitFor(() => !processExists(pid), {what: 'the hung engine to be killed'});
      expect(host.alive).toBe(false);
    } finally {
      if (processExists(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
