import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../src/mai.js';
import {TEST_MODELS} from './support/models.js';
import {processExists} from './support/processes.js';
import {createSandbox, keyOf, type Sandbox} from './support/sandbox.js';

// Mai end to end on the real engine: selection, replies, switching, failures, shutdown.

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;

async function start(models: Parameters<typeof createSandbox>[0], model?: string): Promise<Mai> {
  sandbox = await createSandbox(models);
  mai = await Mai.create({env: sandbox.env, forgeDemoModels: false, ...(model ? {model} : {})});
  return mai;
}

afterEach(async () => {
  await mai?.shutdown();
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

describe('Mai', () => {
  it('answers with the largest tier that fits and keeps the conversation', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'demo-large']);
    const reply = await mai.processMessage('Hello');
    expect(reply).toMatchObject({model: 'mai-demo-large', text: TEST_MODELS['demo-large'].message, interrupted: false});
    expect(reply.stats.tokensOut).toBeGreaterThan(10);
    expect(mai.getConversationHistory().map((message) => [message.role, message.text])).toEqual([
      ['user', 'Hello'],
      ['assistant', TEST_MODELS['demo-large'].message],
    ]);
    expect(mai.store.getState().models.lastSwitch?.reason).toMatch(/largest tier that fits/);
  });

  it('streams the reply chunk by chunk', async () => {
    const mai = await start(['slow']);
    const chunks: string[] = [];
    for await (const chunk of mai.streamMessage('Hi')) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(TEST_MODELS.slow.message);
  });

  it('switches models on request and the conversation survives the switch', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'demo-large']);
    await mai.processMessage('first question');
    expect(await mai.switchTo('mai-demo-small')).toBe('switched');
    const second = await mai.processMessage('second question');
    expect(second.model).toBe('mai-demo-small');
    expect(second.text).toBe(TEST_MODELS['demo-small'].message);
    const history = mai.getConversationHistory();
    expect(history.map((message) => message.model ?? 'you')).toEqual(['you', 'mai-demo-large', 'you', 'mai-demo-small']);
    // The model mai switched away from was unloaded: only one engine runs.
    expect(mai.models.loadedHandles().map((handle) => handle.key)).toEqual(['mai-demo-small']);
  });

  it('lands on the last of several quick switches, and loads only what it needs', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'demo-large']);
    await mai.models.ensureCurrent();
    const switches = [mai.models.cycle(1), mai.models.cycle(1), mai.models.cycle(1)];
    const outcomes = await Promise.all(switches);
    // large -> medium -> small -> large: the first two were superseded before they finished.
    expect(outcomes.at(-1)).not.toBe('superseded');
    expect(outcomes.slice(0, 2)).toContain('superseded');
    expect(mai.store.getState().models.currentKey).toBe('mai-demo-large');
    expect(mai.models.loadedHandles()).toHaveLength(1);
  });

  it('survives a model that crashes the engine: marks it unusable and answers with another', async () => {
    const broken = keyOf('duplicate-token');
    const mai = await start(['duplicate-token', 'demo-small'], broken);
    const reply = await mai.processMessage('are you there?');
    expect(reply.model).toBe('mai-demo-small');
    expect(reply.text).toBe(TEST_MODELS['demo-small'].message);
    const state = mai.store.getState();
    const entry = state.models.entries.find((candidate) => candidate.key === broken);
    expect(entry?.unusable).toMatch(/crashed while loading.*GGML_ASSERT/);
    expect(state.models.status[broken]).toMatchObject({state: 'failed'});
    expect(state.ui.notice?.text).toContain(`${broken} could not be loaded`);
  });

  it('stops a reply mid-way and keeps what was written, marked interrupted', async () => {
    const mai = await start(['looping']);
    const controller = new AbortController();
    let received = 0;
    const stream = mai.streamMessage('talk', {signal: controller.signal});
    for await (const chunk of stream) {
      received += chunk.length;
      if (received > 100) controller.abort();
    }
    const last = mai.getConversationHistory().at(-1);
    expect(last?.role).toBe('assistant');
    expect(last?.interrupted).toBe(true);
    expect(last?.text.length).toBeGreaterThan(100);
    expect(mai.store.getState().chat.busy).toBe(false);
  });

  it('shuts down every engine it started, and twice is harmless', async () => {
    const mai = await start(['demo-small']);
    await mai.processMessage('hi');
    const pid = mai.models.loadedHandles()[0]?.pid as number;
    expect(processExists(pid)).toBe(true);
    await mai.shutdown();
    await mai.shutdown();
    expect(processExists(pid)).toBe(false);
  });

  it('reports status: the current model, what is loaded, resources and backends', async () => {
    const mai = await start(['demo-small']);
    await mai.processMessage('hi');
    await mai.sampleResources();
    const status = await mai.getStatus();
    expect(status.currentModel).toBe('mai-demo-small');
    expect(status.loaded.map((model) => model.key)).toEqual(['mai-demo-small']);
    expect(status.resources.memory?.totalBytes).toBeGreaterThan(0);
    expect(status.backends).toEqual([
      {id: 'embedded', kind: 'embedded', available: true},
      {id: 'lmstudio', kind: 'lmstudio', available: false, state: 'not-running', url: sandbox?.env.LMSTUDIO_URL, version: null, detail: 'not running (connection refused)'},
    ]);
  });
});
