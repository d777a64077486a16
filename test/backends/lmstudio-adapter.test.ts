import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {isModelError, type ModelError} from '../../src/backends/model-error.js';
import {LMStudioAdapter, type LMStudioAdapterOptions, type LMStudioStatus} from '../../src/backends/lmstudio/lmstudio-adapter.js';
import {expectNoCommunicationWarnings, lmStudioPath, startLMStudio, type EmulatedLMStudio} from '../support/lmstudio.js';
import {TEST_MODELS} from '../support/models.js';

// The LM Studio adapter for real: the unmodified @lmstudio/sdk client, talking to our emulator of
// LM Studio's wire protocol, which answers with the embedded engine on forged models. What every
// backend does (stream, abort, count, unload) is in backend-contract.test.ts; this is the rest.

let lmstudio: EmulatedLMStudio;
let adapter: LMStudioAdapter;
let logs: string[];

// Timeouts that only a broken connection can reach in these tests (none is a timing assertion).
const SLOW = {callMs: 30_000, loadIdleMs: 30_000, firstFragmentMs: 30_000, fragmentIdleMs: 30_000, cancelGraceMs: 10_000, probeMs: 5_000};

function newAdapter(options: Partial<LMStudioAdapterOptions> = {}): LMStudioAdapter {
  return new LMStudioAdapter({
    url: lmstudio.emulator.url,
    maxTokens: 200,
    temperature: 0.7,
    timeouts: SLOW,
    reconnectMs: {initial: 50, max: 200},
    onLog: (_level, message) => logs.push(message),
    ...options,
  });
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;

beforeAll(async () => {
  lmstudio = await startLMStudio(['tiny', 'looping', 'slow', 'demo-small']);
});

afterAll(async () => {
  await lmstudio.close();
});

beforeEach(() => {
  logs = [];
  lmstudio.emulator.faults = {};
  for (const method of consoleMethods) vi.spyOn(console, method);
  vi.spyOn(process.stdout, 'write');
  vi.spyOn(process.stderr, 'write');
  adapter = newAdapter();
});

afterEach(async () => {
  await adapter.dispose();
  for (const instance of lmstudio.emulator.loaded()) if (instance.loadedBy === 'user') await lmstudio.emulator.unloadAsUser(instance.identifier);
  // Nothing the SDK says may reach the console: it would be drawn over the TUI or corrupt --json.
  for (const method of consoleMethods) expect(console[method]).not.toHaveBeenCalled();
  expect(process.stdout.write).not.toHaveBeenCalled();
  expect(process.stderr.write).not.toHaveBeenCalled();
  vi.restoreAllMocks();
  // The passkey the client authenticated with never reaches mai's log.
  const passkey = lmstudio.emulator.lastClientPasskey;
  if (passkey) expect(logs.join('\n')).not.toContain(passkey);
  expectNoCommunicationWarnings(lmstudio.emulator);
});

describe('LM Studio adapter, through the real SDK and the emulator', () => {
  it('connects, reports the version, and lists the downloaded models with what LM Studio says about them', async () => {
    expect(await adapter.available()).toBe(true);
    expect(adapter.connection.status()).toMatchObject({state: 'connected', version: '0.3.99-emulator', detail: null});
    const models = await adapter.listModels();
    const tiny = models.find((model) => model.key === 'test-tiny');
    expect(tiny).toMatchObject({
      backendId: 'lmstudio',
      displayName: 'test-tiny',
      arch: 'llama',
      quant: 'F32',
      contextLength: 512,
      path: lmStudioPath('tiny'),
      demo: false,
    });
    expect(tiny?.sizeBytes).toBeGreaterThan(0);
    expect(tiny?.params).toBeGreaterThan(0);
    expect(models.map((model) => model.key).sort()).toEqual(['mai-demo-small', 'test-looping', 'test-slow', 'test-tiny']);
  });

  it('loads the model in LM Studio with the context length asked for, and unloads it there', async () => {
    const handle = await adapter.load('test-tiny', {contextLength: 256});
    expect(lmstudio.emulator.loaded()).toContainEqual(expect.objectContaining({modelKey: 'test-tiny', loadedBy: 'client', contextLength: 256}));
    await adapter.unload(handle);
    expect(lmstudio.emulator.loaded().map((instance) => instance.modelKey)).not.toContain('test-tiny');
  });

  it('never unloads a model the user loaded in LM Studio: not on unload, not on dispose', async () => {
    const identifier = await lmstudio.emulator.loadAsUser('test-tiny', 512);
    const loadsBefore = lmstudio.emulator.count('llm/loadModel');
    const unloadsBefore = lmstudio.emulator.count('llm/unloadModel');
    const models = await adapter.listModels();
    expect(models.find((model) => model.key === 'test-tiny')?.loadedBy).toBe('user');

    // Asked for the same model, mai uses the user's instance instead of loading a second copy.
    const handle = await adapter.load('test-tiny', {contextLength: 512});
    expect(handle.ownedByMai).toBe(false);
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(loadsBefore);
    expect((await adapter.respond(handle, [{role: 'user', content: 'hi'}])).text).toBe(TEST_MODELS.tiny.message);
    const listed = await adapter.listLoaded();
    expect(listed.find((loaded) => loaded.key === 'test-tiny')?.ownedByMai).toBe(false);

    // Its own model, loaded beside it, goes on dispose; the user's stays.
    const own = await adapter.load('mai-demo-small', {contextLength: 1024});
    expect(own.ownedByMai).toBe(true);
    await adapter.unload(handle);
    await adapter.dispose();
    const left = lmstudio.emulator.loaded();
    expect(left).toContainEqual(expect.objectContaining({identifier, loadedBy: 'user'}));
    expect(left.map((instance) => instance.modelKey)).not.toContain('mai-demo-small');
    expect(lmstudio.emulator.count('llm/unloadModel')).toBe(unloadsBefore + 1);
  });

  it('fails a reply whose socket drops with a classified "backend gone", keeps what streamed, and reconnects', async () => {
    const handle = await adapter.load('test-looping', {contextLength: 512});
    lmstudio.emulator.faults = {dropAfterFragments: 4};
    const chunks: string[] = [];
    const error = (await adapter.respond(handle, [{role: 'user', content: 'go'}], {maxTokens: 100_000, onText: (chunk) => chunks.push(chunk)}).catch(
      (e: unknown) => e,
    )) as ModelError;
    // The timeouts are 30 s: failing at all before them means the drop was noticed as such.
    expect(isModelError(error, 'backend-gone')).toBe(true);
    expect(error.message).toMatch(/LM Studio went away/);
    expect(chunks).toHaveLength(4);
    expect(chunks.join('')).toMatch(/^I repeat myself/);

    // The connection comes back by itself; the instance mai loaded is still there and is reused.
    await waitForStatus(adapter, 'connected');
    const again = await adapter.load('test-looping', {contextLength: 512});
    expect(again.id).toBe(handle.id);
    expect((await adapter.respond(again, [{role: 'user', content: 'more'}], {maxTokens: 6})).stats.stopReason).toBe('maxTokens');
  });

  it('classifies a failed load, with LM Studio\'s reason in one clean line, and does not retry it', async () => {
    lmstudio.emulator.faults = {
      failLoad: {modelKey: 'mai-demo-small', error: {title: 'Failed to load model\x1b]0;pwned\x07', cause: 'Error loading model.\x1b[2J Out of luck.'}},
    };
    const before = lmstudio.emulator.count('llm/loadModel');
    const error = (await adapter.load('mai-demo-small', {contextLength: 1024}).catch((e: unknown) => e)) as ModelError;
    expect(isModelError(error, 'load-failed')).toBe(true);
    expect(error.message).toBe('LM Studio: Failed to load model: Error loading model. Out of luck.');
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(before + 1);
    expect(adapter.connection.status().state).toBe('connected');
  });

  it('cancels a slow load when asked, and leaves nothing loaded', async () => {
    lmstudio.emulator.faults = {loadDelayMs: 2_000};
    const controller = new AbortController();
    const progress: number[] = [];
    const loading = adapter.load('test-tiny', {
      contextLength: 512,
      signal: controller.signal,
      onProgress: (fraction) => {
        progress.push(fraction);
        if (fraction > 0) controller.abort();
      },
    });
    const error = (await loading.catch((e: unknown) => e)) as ModelError;
    expect(isModelError(error, 'aborted')).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
    lmstudio.emulator.faults = {};
    await adapter.listModels(); // a load LM Studio finished anyway would be unloaded here
    expect(lmstudio.emulator.loaded().filter((instance) => instance.loadedBy === 'client')).toEqual([]);
  });

  it('streams through delayed fragments', async () => {
    lmstudio.emulator.faults = {fragmentDelayMs: 30};
    const handle = await adapter.load('test-tiny', {contextLength: 512});
    const chunks: string[] = [];
    const result = await adapter.respond(handle, [{role: 'user', content: 'hi'}], {onText: (chunk) => chunks.push(chunk)});
    expect(result.text).toBe(TEST_MODELS.tiny.message);
    expect(chunks.length).toBe(TEST_MODELS.tiny.message?.split(' ').length);
  });

  it('times out a call whose answer the SDK cannot parse (it would hang), and recovers', async () => {
    adapter = newAdapter({timeouts: {...SLOW, callMs: 1000}});
    expect(await adapter.available()).toBe(true);
    lmstudio.emulator.faults = {malformed: 'rpcResult'};
    const error = (await adapter.listModels().catch((e: unknown) => e)) as ModelError;
    expect(isModelError(error, 'timeout')).toBe(true);
    expect(adapter.connection.status().state).toBe('error');
    expectNoCommunicationWarnings(lmstudio.emulator, 1);
    // The hung call's socket was closed; the next calls open a new one and work.
    expect(await adapter.available()).toBe(true);
    expect((await adapter.listModels()).length).toBe(4);
  });

  it('times out a reply that never ends because its last message was malformed', async () => {
    adapter = newAdapter({timeouts: {...SLOW, firstFragmentMs: 4_000, fragmentIdleMs: 1000}});
    const handle = await adapter.load('test-tiny', {contextLength: 512});
    lmstudio.emulator.faults = {malformed: 'success'};
    let streamed = '';
    const error = (await adapter.respond(handle, [{role: 'user', content: 'hi'}], {onText: (chunk) => (streamed += chunk)}).catch(
      (e: unknown) => e,
    )) as ModelError;
    expect(isModelError(error, 'timeout')).toBe(true);
    expect(streamed).toBe(TEST_MODELS.tiny.message);
    expectNoCommunicationWarnings(lmstudio.emulator, 1);
  });
});

describe('LM Studio not there', () => {
  it('is "not running" after one refused probe: no WebSocket is opened, and nothing is printed', async () => {
    await lmstudio.emulator.goAway();
    try {
      const connections = lmstudio.emulator.connections;
      const statuses: LMStudioStatus[] = [];
      adapter.connection.onStatus((status) => statuses.push(status));
      expect(await adapter.available()).toBe(false);
      expect(adapter.connection.status()).toMatchObject({state: 'not-running', version: null});
      expect(adapter.connection.status().detail).toMatch(/refused/);
      expect(statuses.map((status) => status.state)).toEqual(['not-running']);
      const error = (await adapter.load('test-tiny', {contextLength: 512}).catch((e: unknown) => e)) as ModelError;
      expect(isModelError(error, 'backend-gone')).toBe(true);
      expect(lmstudio.emulator.connections).toBe(connections);
    } finally {
      await lmstudio.emulator.comeBack();
    }
  });

  it('shows up once LM Studio starts, while watching', async () => {
    await lmstudio.emulator.goAway();
    expect(await adapter.available()).toBe(false);
    adapter.connection.watch();
    await lmstudio.emulator.comeBack();
    await waitForStatus(adapter, 'connected');
    expect(adapter.connection.status().version).toBe('0.3.99-emulator');
  });

  it('notices at once when LM Studio quits while watching, and reconnects when it is back', async () => {
    adapter.connection.watch();
    expect(await adapter.available()).toBe(true);
    await lmstudio.emulator.goAway();
    await waitForStatus(adapter, 'reconnecting');
    await lmstudio.emulator.comeBack();
    await waitForStatus(adapter, 'connected');
  });

  it('treats a server that accepts and drops every connection as not running', async () => {
    lmstudio.emulator.faults = {refuseConnections: true};
    expect(await adapter.available()).toBe(false);
    expect(adapter.connection.status().state).toBe('not-running');
  });
});

async function waitForStatus(target: LMStudioAdapter, state: LMStudioStatus['state']): Promise<void> {
  if (target.connection.status().state === state) return;
  await new Promise<void>((resolve) => {
    const off = target.connection.onStatus((status) => {
      if (status.state !== state) return;
      off();
      resolve();
    });
  });
}
