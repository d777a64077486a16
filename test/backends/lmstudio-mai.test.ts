import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {Mai} from '../../src/mai.js';
import {isModelError} from '../../src/backends/model-error.js';
import {machineSource, type ResourceSource} from '../../src/monitor/resource-monitor.js';
import {expectNoCommunicationWarnings, startLMStudio, type EmulatedLMStudio} from '../support/lmstudio.js';
import {TEST_MODELS, type TestModelKey} from '../support/models.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';
import {latestNotice} from '../../src/store.js';

// Mai with LM Studio beside the embedded engine: the real SDK client, the emulator, the real engine
// behind both. What a user of the library (and of the TUI, which is Mai underneath) sees.

let sandbox: Sandbox | undefined;
let lmstudio: EmulatedLMStudio | undefined;
let mai: Mai | undefined;

type Setup = {
  /** Models in mai's own model folder. */
  readonly embedded: readonly TestModelKey[];
  /** Models LM Studio has downloaded. */
  readonly served: readonly TestModelKey[];
  /** LM Studio keeps its downloads in ~/.lmstudio/models, which mai scans too. */
  readonly servedFromHome?: boolean;
  readonly modelKeys?: Record<string, string>;
  readonly userConfig?: string;
  readonly resourceSource?: ResourceSource;
};

async function start(setup: Setup): Promise<{mai: Mai; lmstudio: EmulatedLMStudio; sandbox: Sandbox}> {
  sandbox = await createSandbox(setup.embedded);
  lmstudio = await startLMStudio(setup.served, {
    ...(setup.servedFromHome ? {home: sandbox.home} : {}),
    ...(setup.modelKeys ? {modelKeys: setup.modelKeys} : {}),
  });
  sandbox.env.LMSTUDIO_URL = lmstudio.emulator.url;
  if (setup.userConfig) await writeUserConfig(setup.userConfig);
  return {mai: await newMai(setup.resourceSource), lmstudio, sandbox};
}

async function writeUserConfig(text: string): Promise<void> {
  const dir = path.join(sandbox?.home ?? '', '.config/mai');
  await mkdir(dir, {recursive: true});
  await writeFile(path.join(dir, 'models.yaml'), text);
}

/** A new Mai on the sandbox (shut down after the test). */
async function newMai(resourceSource?: ResourceSource): Promise<Mai> {
  mai = await Mai.create({env: sandbox?.env, forgeDemoModels: false, ...(resourceSource ? {resourceSource} : {})});
  return mai;
}

function eventLog(): Promise<string> {
  return readFile(path.join(sandbox?.home ?? '', '.local/state/mai/events.jsonl'), 'utf8');
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;

beforeEach(() => {
  for (const method of consoleMethods) vi.spyOn(console, method);
  vi.spyOn(process.stdout, 'write');
  vi.spyOn(process.stderr, 'write');
});

afterEach(async () => {
  await mai?.shutdown();
  for (const method of consoleMethods) expect(console[method]).not.toHaveBeenCalled();
  expect(process.stdout.write).not.toHaveBeenCalled();
  expect(process.stderr.write).not.toHaveBeenCalled();
  vi.restoreAllMocks();
  if (lmstudio) {
    expectNoCommunicationWarnings(lmstudio.emulator);
    const passkey = lmstudio.emulator.lastClientPasskey;
    if (passkey) expect(await eventLog()).not.toContain(passkey);
    await lmstudio.close();
  }
  await sandbox?.cleanup();
  mai = undefined;
  lmstudio = undefined;
  sandbox = undefined;
});

describe('Mai with LM Studio', () => {
  it('chats with an LM Studio model, then with an embedded one, in the same conversation', async () => {
    const {mai, lmstudio} = await start({embedded: ['demo-small'], served: ['tiny']});
    const entries = await mai.catalog();
    expect(entries.map((entry) => [entry.key, entry.backendId])).toEqual([
      ['test-tiny', 'lmstudio'],
      ['mai-demo-small', 'embedded'],
    ]);
    expect(mai.store.getState().backends.lmstudio).toMatchObject({state: 'connected', version: '0.3.99-emulator'});

    const first = await mai.processMessage('hello');
    expect(first).toMatchObject({model: 'test-tiny', text: TEST_MODELS.tiny.message, interrupted: false});
    expect(first.stats.tokensOut).toBeGreaterThan(3);
    expect(lmstudio.emulator.loaded()).toEqual([expect.objectContaining({modelKey: 'test-tiny', loadedBy: 'client'})]);

    expect(await mai.switchTo('mai-demo-small')).toBe('switched');
    const second = await mai.processMessage('and you?');
    expect(second).toMatchObject({model: 'mai-demo-small', text: TEST_MODELS['demo-small'].message});
    expect(mai.getConversationHistory().map((message) => message.model ?? message.text)).toEqual(['hello', 'test-tiny', 'and you?', 'mai-demo-small']);
    // mai loaded the LM Studio model, so switching away unloaded it there.
    expect(lmstudio.emulator.loaded()).toEqual([]);

    expect(await mai.switchTo('test-tiny')).toBe('switched');
    const third = await mai.processMessage('back to you');
    expect(third.model).toBe('test-tiny');
  });

  it('lists a file that LM Studio also serves once, with both sources, and honours a pinned backend', async () => {
    const setup = {embedded: [], served: ['tiny'], servedFromHome: true, modelKeys: {'test-tiny': 'tiny-chat-1b'}} as const;
    const {mai: first, lmstudio} = await start(setup);
    const entries = await first.catalog();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      key: 'test-tiny',
      backendId: 'lmstudio',
      backendKey: 'tiny-chat-1b',
      sources: [
        {backendId: 'lmstudio', kind: 'lmstudio', key: 'tiny-chat-1b'},
        {backendId: 'embedded', kind: 'embedded', key: 'test-tiny'},
      ],
    });
    expect((await first.processMessage('hi')).text).toBe(TEST_MODELS.tiny.message);
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(1);
    await first.shutdown();

    // Pinned to the embedded engine (by LM Studio's key): the same entry, run by mai itself.
    await writeUserConfig('models:\n  - key: tiny-chat-1b\n    backend: embedded\n');
    const second = await newMai();
    const pinned = await second.catalog();
    expect(pinned.map((entry) => [entry.key, entry.backendId, entry.sources?.map((source) => source.kind)])).toEqual([
      ['test-tiny', 'embedded', ['embedded', 'lmstudio']],
    ]);
    const reply = await second.processMessage('hi again');
    expect(reply).toMatchObject({model: 'test-tiny', text: TEST_MODELS.tiny.message});
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(1);
    expect(second.models.loadedHandles()).toEqual([expect.objectContaining({key: 'test-tiny', backendId: 'embedded'})]);
  });

  it('never unloads a model the user loaded in LM Studio: not on a switch, not under pressure, not on shutdown', async () => {
    // Memory is short: nothing new fits, and only unloading the user's model would make room.
    const machine = machineSource();
    const scarce: ResourceSource = async () => {
      const sample = await machine();
      return {...sample, memory: {...sample.memory, availableBytes: 64 * 1024 ** 2}};
    };
    const {mai: first, lmstudio} = await start({embedded: ['demo-small'], served: ['tiny'], resourceSource: scarce});
    const identifier = await lmstudio.emulator.loadAsUser('test-tiny', 512);
    const entries = await first.catalog();
    expect(entries.find((entry) => entry.key === 'test-tiny')).toMatchObject({loadedBy: 'user', fits: true});

    const reply = await first.processMessage('hi');
    expect(reply.model).toBe('test-tiny');
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(0);

    const error = await first.switchTo('mai-demo-small').catch((e: unknown) => e);
    expect(isModelError(error, 'out-of-memory')).toBe(true);
    expect(lmstudio.emulator.loaded()).toEqual([expect.objectContaining({identifier, loadedBy: 'user'})]);

    await first.shutdown();
    expect(lmstudio.emulator.loaded()).toEqual([expect.objectContaining({identifier, loadedBy: 'user'})]);
    expect(lmstudio.emulator.count('llm/unloadModel')).toBe(0);

    // With memory to spare, switching away leaves it loaded too.
    const second = await newMai();
    await second.processMessage('hi');
    expect(await second.switchTo('mai-demo-small')).toBe('switched');
    await second.shutdown();
    expect(lmstudio.emulator.loaded()).toEqual([expect.objectContaining({identifier, loadedBy: 'user'})]);
    expect(lmstudio.emulator.count('llm/unloadModel')).toBe(0);
  });

  it('R1: finishes a reply whose socket dropped on an embedded model, from the text so far, and answers the next message', async () => {
    const {mai, lmstudio} = await start({embedded: ['demo-small'], served: ['tiny']});
    lmstudio.emulator.faults = {dropAfterFragments: 3};
    const reply = await mai.processMessage('hello');
    // The three words LM Studio's model wrote stay; mai's own engine goes on from them.
    const firstWords = (TEST_MODELS.tiny.message ?? '').split(' ').slice(0, 3).join(' ');
    expect(reply).toMatchObject({model: 'mai-demo-small', interrupted: false});
    expect(reply.text.startsWith(firstWords)).toBe(true);
    expect(reply.fallbacks).toEqual([{from: 'test-tiny', to: 'mai-demo-small', reason: expect.stringMatching(/^backend gone: /), at: expect.any(Number)}]);
    expect(reply.switches.map((record) => [record.from, record.to, record.kind])).toEqual([
      [null, 'test-tiny', 'task'],
      ['test-tiny', 'mai-demo-small', 'fallback'],
    ]);
    expect(mai.getConversationHistory().at(-1)).toMatchObject({role: 'assistant', model: 'mai-demo-small', text: reply.text});
    expect(mai.store.getState().chat.busy).toBe(false);

    const next = await mai.processMessage('are you back?');
    expect(next.text).toBe(next.model === 'test-tiny' ? TEST_MODELS.tiny.message : TEST_MODELS['demo-small'].message);
    expect(next.interrupted).toBe(false);
    expect(mai.getConversationHistory().map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('restarts a reply on an LM Studio model after a struggle, keeping the cut one marked (LM Studio cannot go on from it)', async () => {
    const {mai} = await start({
      embedded: ['slow-looping'],
      served: ['tiny'],
      userConfig: ['policy:', '  preload: false', '  struggle:', '    min_tokens_per_s: 100000', '    window_ms: 1000', '    judge_after_tokens: 4', '    max_repeat_ratio: 1'].join('\n'),
    });
    await mai.models.switchTo('test-slow-looping', 'the test starts here');
    const reply = await mai.processMessage('hello');
    expect(reply).toMatchObject({model: 'test-tiny', text: TEST_MODELS.tiny.message, interrupted: false});
    expect(reply.switches.at(-1)).toMatchObject({from: 'test-slow-looping', to: 'test-tiny', kind: 'struggle'});
    // The slow model's text stays in the conversation, marked; the new reply follows it, whole.
    const history = mai.getConversationHistory();
    expect(history.map((message) => [message.role, message.model ?? null, message.interrupted ?? false])).toEqual([
      ['user', null, false],
      ['assistant', 'test-slow-looping', true],
      ['assistant', 'test-tiny', false],
    ]);
    expect(history[1]?.text.startsWith('I go on slowly')).toBe(true);
  });

  it('falls back from a model LM Studio fails to load, says why in one clean line, logs it, and does not retry it', async () => {
    const {mai, lmstudio} = await start({embedded: ['demo-small'], served: ['tiny']});
    lmstudio.emulator.faults = {failLoad: {modelKey: 'test-tiny', error: {title: 'Failed to load model\x1b]0;owned\x07', cause: 'Error loading model.\x1b[2J'}}};
    const reply = await mai.processMessage('hi');
    expect(reply.model).toBe('mai-demo-small');
    const notice = latestNotice(mai.store.getState())?.text ?? '';
    expect(notice).toContain('test-tiny could not be loaded: LM Studio: Failed to load model: Error loading model.');
    expect(notice).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    const failures = (await eventLog()).split('\n').filter((line) => line.includes('"load-failed"'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0] ?? '{}')).toMatchObject({model: 'test-tiny', kind: 'load-failed'});

    // The engine answering now dies; the model that failed a moment ago is not tried again.
    const pid = mai.models.current()?.handle.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => mai.models.current() === null, {what: 'mai to notice the dead engine'});
    expect((await mai.processMessage('still there?')).model).toBe('mai-demo-small');
    expect(lmstudio.emulator.count('llm/loadModel')).toBe(1);
  });
});

describe('Mai without LM Studio', () => {
  it('works on embedded models and shows LM Studio as not running, without a word on the console', async () => {
    sandbox = await createSandbox(['demo-small']);
    mai = await newMai();
    const reply = await mai.processMessage('hi');
    expect(reply.model).toBe('mai-demo-small');
    expect(mai.store.getState().backends.lmstudio).toMatchObject({state: 'not-running', version: null});
    expect(mai.store.getState().models.entries.map((entry) => entry.backendId)).toEqual(['embedded']);
  });
});
