import {mkdir, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {encodeEvent} from '../../src/conversation/conversation-events.js';
import {ConversationFile, ConversationNotFoundError} from '../../src/conversation/conversation-file.js';
import {TEST_MODELS} from '../support/models.js';
import {processExists} from '../support/processes.js';
import {createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';
import {latestNotice} from '../../src/store.js';

// Mai end to end on the real engine: selection, replies, switching, failures, shutdown.

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;

async function start(models: Parameters<typeof createSandbox>[0], model?: string, resume?: string): Promise<Mai> {
  sandbox ??= await createSandbox(models);
  mai = await Mai.create({env: sandbox.env, forgeDemoModels: false, ...(model ? {model} : {}), ...(resume ? {resume} : {})});
  return mai;
}

/** The lines of the conversation's file, parsed. */
async function savedEvents(mai: Mai): Promise<{type: string; role?: string; text?: string; interrupted?: boolean}[]> {
  const file = ConversationFile.pathFor(mai.paths.conversationsDir, mai.conversationId ?? '');
  return (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as {type: string});
}

afterEach(async () => {
  await mai?.shutdown();
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

describe('Mai', () => {
  it('answers a greeting with the fastest tier that is enough and keeps the conversation', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'demo-large']);
    const reply = await mai.processMessage('Hello');
    expect(reply).toMatchObject({model: 'mai-demo-small', text: TEST_MODELS['demo-small'].message, interrupted: false});
    expect(reply.stats.tokensOut).toBeGreaterThan(10);
    expect(mai.getConversationHistory().map((message) => [message.role, message.text])).toEqual([
      ['user', 'Hello'],
      ['assistant', TEST_MODELS['demo-small'].message],
    ]);
    expect(mai.store.getState().models.lastSwitch?.reason).toBe('the message asks for small: mai-demo-small');
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
    expect(await mai.switchTo('mai-demo-large')).toBe('switched');
    // A manual switch pins the model: the simple message that follows stays on it.
    const second = await mai.processMessage('second question');
    expect(second.model).toBe('mai-demo-large');
    expect(second.text).toBe(TEST_MODELS['demo-large'].message);
    const history = mai.getConversationHistory();
    expect(history.map((message) => message.model ?? 'you')).toEqual(['you', 'mai-demo-small', 'you', 'mai-demo-large']);
    // The model mai switched away from was unloaded: only one engine runs.
    expect(mai.models.loadedHandles().map((handle) => handle.key)).toEqual(['mai-demo-large']);
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
    expect(latestNotice(state)?.text).toContain(`${broken} could not be loaded`);
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

  it('notices an engine that died while idle, and loads the model again for the next message', async () => {
    const mai = await start(['demo-small']);
    await mai.processMessage('hi');
    const pid = mai.models.loadedHandles()[0]?.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => mai.store.getState().models.currentKey === null, {what: 'mai to notice the dead engine'});
    const state = mai.store.getState();
    expect(state.models.currentKey).toBeNull();
    expect(state.models.status['mai-demo-small']).toMatchObject({state: 'failed', reason: expect.stringMatching(/SIGKILL/)});
    const again = await mai.processMessage('still there?');
    expect(again.text).toBe(TEST_MODELS['demo-small'].message);
    expect(mai.models.loadedHandles()[0]?.pid).not.toBe(pid);
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

describe('saved conversations', () => {
  it('are written as they happen: the message before the model is asked, the reply as it streams', async () => {
    const mai = await start(['slow']);
    let seenAtFirstChunk: string[] = [];
    for await (const chunk of mai.streamMessage('Hello there')) {
      if (seenAtFirstChunk.length === 0 && chunk) seenAtFirstChunk = (await savedEvents(mai)).map((event) => event.type);
    }
    // By the time the first words reach the screen, the question (then the first model load) and the
    // reply's start are on disk.
    expect(seenAtFirstChunk).toEqual(['conversation', 'message', 'switch', 'started', 'delta']);
    const events = await savedEvents(mai);
    expect(events.at(-1)).toMatchObject({type: 'completed', text: TEST_MODELS.slow.message, interrupted: false});
    const file = ConversationFile.pathFor(mai.paths.conversationsDir, mai.conversationId ?? '');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(mai.paths.conversationsDir)).mode & 0o777).toBe(0o700);
  });

  it('come back with --resume: every message, and the next reply goes on in the same file', async () => {
    const first = await start(['demo-small']);
    await first.processMessage('My name is Ada.');
    await first.processMessage('What is my name?');
    const id = first.conversationId as string;
    await first.shutdown();

    const resumed = await start(['demo-small'], undefined, id);
    expect(resumed.resumed).toEqual({id, messages: 4, warnings: []});
    expect(resumed.store.getState().chat.messages.map((message) => message.text.slice(0, 16))).toEqual([
      'My name is Ada.',
      'Hello! I am mai-',
      'What is my name?',
      'Hello! I am mai-',
    ]);
    expect(latestNotice(resumed.store.getState())?.text).toBe(`resumed conversation ${id}: 4 messages`);
    await resumed.processMessage('Still here?');
    expect(resumed.conversationId).toBe(id);
    expect(resumed.getConversationHistory()).toHaveLength(6);
    // The model saw the conversation from before the resume.
    expect(resumed.context.lastPrompt()?.messages.map((message) => message.content.slice(0, 16))).toEqual([
      'My name is Ada.',
      'Hello! I am mai-',
      'What is my name?',
      'Hello! I am mai-',
      'Still here?',
    ]);
  });

  it('load what is valid from a file with garbage lines and a torn last line, and say so', async () => {
    sandbox = await createSandbox(['demo-small']);
    const dir = path.join(sandbox.env.XDG_STATE_HOME ?? '', 'mai', 'conversations');
    await mkdir(dir, {recursive: true});
    const at = Date.UTC(2026, 10, 24);
    const text = [
      encodeEvent({type: 'conversation', v: 1, id: '20261124-000000-beef', at}),
      encodeEvent({type: 'message', id: 'u1', role: 'user', text: 'first', at}),
      'this line is not JSON at all\n',
      encodeEvent({type: 'started', id: 'a1', model: 'mai-demo-small', at}),
      encodeEvent({type: 'delta', id: 'a1', text: 'Hello! I am'}),
      encodeEvent({type: 'message', id: 'u2', role: 'user', text: 'second', at}).slice(0, 30),
    ].join('');
    await writeFile(path.join(dir, '20261124-000000-beef.jsonl'), text);

    const mai = await start(['demo-small'], undefined, '20261124-000000-beef');
    expect(mai.getConversationHistory().map((message) => [message.text, message.interrupted ?? false])).toEqual([
      ['first', false],
      ['Hello! I am', true],
    ]);
    expect(latestNotice(mai.store.getState())).toMatchObject({
      level: 'warn',
      text: expect.stringContaining('line 3 could not be read and was skipped; the last line (6) was cut off while it was written'),
    });
    await mai.processMessage('third');
    expect(mai.getConversationHistory()).toHaveLength(4);
  });

  it('refuse an ID that names no conversation', async () => {
    sandbox = await createSandbox(['demo-small']);
    await expect(Mai.create({env: sandbox.env, forgeDemoModels: false, resume: 'no-such-id'})).rejects.toThrow(ConversationNotFoundError);
  });
});
