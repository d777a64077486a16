import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {silentLog} from '../../src/util/log.js';
import {Mai} from '../../src/mai.js';
import {promptBudget} from '../../src/conversation/context-fit.js';
import {ContextManager, contextTarget} from '../../src/conversation/context-manager.js';
import {replayConversation} from '../../src/conversation/conversation-events.js';
import {ConversationFile} from '../../src/conversation/conversation-file.js';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
import {createMaiStore} from '../../src/store.js';
import {TEST_MODELS} from '../support/models.js';
import {createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';

// The context manager on the real engine: forged models whose context lengths (4,096, 2,048, 512)
// and vocabularies differ, so every count comes from the model's own tokenizer and a switch to a
// smaller window has to re-fit the conversation for real.

const QUARTER = {percent: 25} as const;
const SMALL = keyOf('small-context'); // 512 tokens
const MEDIUM = 'mai-demo-medium'; // 2,048 tokens

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await mai?.shutdown();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

async function startMai(models: Parameters<typeof createSandbox>[0], model?: string, resume?: string): Promise<Mai> {
  sandbox ??= await createSandbox(models);
  mai = await Mai.create({env: sandbox.env, forgeDemoModels: false, ...(model ? {model} : {}), ...(resume ? {resume} : {})});
  return mai;
}

/** The current model as the context manager sees it, and its backend's exact prompt count. */
function current(mai: Mai) {
  const loaded = mai.models.current();
  if (!loaded) throw new Error('no current model');
  const {backend, handle} = loaded;
  return {
    target: contextTarget(backend, handle),
    exactTokens: (messages: Parameters<NonNullable<typeof backend.countPromptTokens>>[1]) =>
      backend.countPromptTokens?.(handle, messages) ?? Promise.reject(new Error('the embedded backend counts prompts')),
  };
}

async function chat(mai: Mai, exchanges: number, prefix = 'question'): Promise<void> {
  for (let i = 0; i < exchanges; i++) await mai.processMessage(`${prefix} ${i}: what do you make of item number ${i * 7}?`);
}

describe('token counts', () => {
  it("come from each model's own tokenizer: the two vocabularies count the same conversation differently", async () => {
    sandbox = await createSandbox(['demo-large', 'demo-small']);
    const backend = new EmbeddedBackend({modelDirs: [sandbox.modelDir], threads: 1, gpu: false, maxTokens: 256, temperature: 0.7});
    cleanups.push(() => backend.dispose());
    const [large, small] = await Promise.all([
      backend.load('mai-demo-large', {contextLength: 4096}),
      backend.load('mai-demo-small', {contextLength: 1024}),
    ]);
    // The forged vocabularies differ in their word pieces: each has one for every word of its own
    // answer (here the short words of demo-large's: "of", "is", "my", "an", "to"), and spells
    // every other word letter by letter.
    const text = Array(12).fill('of is my an to').join(' ');
    const [byLarge, bySmall] = await Promise.all([backend.countTokens(large, text), backend.countTokens(small, text)]);
    expect(bySmall).toBeGreaterThan(byLarge * 1.5);

    const store = createMaiStore();
    const context = new ContextManager({store, log: silentLog, settings: {replyRoom: QUARTER, systemPrompt: '', summaries: false, maxReplyTokens: 256}, conversationsDir: null});
    await context.addUserMessage(text);
    context.startReply('mai-demo-large').finish({text: TEST_MODELS['demo-large'].message ?? '', model: 'mai-demo-large', interrupted: false});
    const prompts = [];
    for (const handle of [large, small]) {
      const prompt = await context.buildPrompt(contextTarget(backend, handle));
      // Estimated from the counts cached per tokenizer and the template's measured cost: within a
      // token or two a message of the prompt as the model renders it (counted exactly near the budget).
      const exact = await backend.countPromptTokens(handle, prompt.messages);
      expect(Math.abs(prompt.promptTokens - exact)).toBeLessThanOrEqual(2 * prompt.messages.length);
      expect(prompt.report).toMatchObject({model: handle.key, kept: 2, dropped: 0, summarized: 0});
      prompts.push(prompt.promptTokens);
    }
    expect(prompts[1]).toBeGreaterThan(prompts[0] as number);
    expect(store.getState().chat.context?.model).toBe('mai-demo-small');
  });
});

describe('a switch to a smaller window', () => {
  it('re-fits the conversation: the prompt fits, holds the last message and the newest turns, the reply streams; back again, the whole window', async () => {
    // small-context is not a demo model: mai would prefer it. The test starts on the larger window.
    const mai = await startMai(['demo-medium', 'small-context'], MEDIUM);
    await chat(mai, 4);
    // The last prompt held every message there was (all but the reply it asked for).
    expect(mai.store.getState().chat.context).toMatchObject({model: MEDIUM, messages: 7, kept: 7, dropped: 0, summarized: 0});

    expect(await mai.switchTo(SMALL)).toBe('switched');
    const afterSwitch = mai.store.getState().chat.context;
    expect(afterSwitch).toMatchObject({model: SMALL, contextLength: 512, messages: 8});
    expect(afterSwitch?.kept).toBeLessThan(8);

    const chunks: string[] = [];
    const stream = mai.streamMessage('And what is the last thing I asked?');
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(TEST_MODELS['small-context'].message);

    const sent = mai.context.lastPrompt();
    if (!sent) throw new Error('no prompt was built');
    const {exactTokens} = current(mai);
    const exact = await exactTokens(sent.messages);
    expect(exact).toBe(sent.promptTokens);
    expect(exact).toBeLessThanOrEqual(promptBudget(512, QUARTER));
    expect(sent.maxTokens).toBeLessThanOrEqual(512 - exact);
    expect(sent.messages.at(-1)).toEqual({role: 'user', content: 'And what is the last thing I asked?'});
    // The turns sent are the newest ones, in order, starting with a question.
    const history = mai.getConversationHistory().slice(0, -1);
    const turns = sent.messages.filter((message) => message.role !== 'system');
    expect(turns.length).toBeGreaterThanOrEqual(1);
    expect(turns).toEqual(history.slice(history.length - turns.length).map((entry) => ({role: entry.role, content: entry.text})));
    expect(turns[0]?.role).toBe('user');
    expect(sent.report.kept + sent.report.summarized + sent.report.dropped).toBe(history.length);

    expect(await mai.switchTo(MEDIUM)).toBe('switched');
    expect(mai.store.getState().chat.context).toMatchObject({model: MEDIUM, kept: 10, dropped: 0, summarized: 0});
    expect(mai.context.lastPrompt()?.messages).toHaveLength(10);
  });

  it('summarizes the older turns in the background with a model, and reuses the saved summary after a resume', async () => {
    const mai = await startMai(['demo-medium', 'small-context'], MEDIUM);
    await chat(mai, 6);
    await mai.switchTo(SMALL);
    const dropped = mai.store.getState().chat.context?.dropped ?? 0;
    expect(dropped).toBeGreaterThan(0);
    await mai.context.summariesSettled();

    // What was dropped for want of a summary is now summarized (a 512-token window may still be
    // too small for the summary and the last exchange together: then one more turn is left out).
    const report = mai.store.getState().chat.context;
    expect(report?.summarized).toBeGreaterThan(0);
    expect(report?.dropped).toBeLessThan(dropped);
    expect((report?.kept ?? 0) + (report?.summarized ?? 0) + (report?.dropped ?? 0)).toBe(12);
    await mai.processMessage('Still there?');
    const sent = mai.context.lastPrompt();
    const system = sent?.messages[0];
    // The summary is whatever the summarizing model wrote: a demo model always writes its one message.
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('Summary of the earlier conversation');
    expect(system?.content).toContain(`written by ${SMALL}`);
    expect(system?.content).toContain(TEST_MODELS['small-context'].message);
    expect(sent?.promptTokens).toBeLessThanOrEqual(promptBudget(512, QUARTER));

    const id = mai.conversationId as string;
    const file = ConversationFile.pathFor(mai.paths.conversationsDir, id);
    const summaries = async () => (await readFile(file, 'utf8')).split('\n').filter((line) => line.includes('"type":"summary"')).length;
    await mai.context.summariesSettled();
    const written = await summaries();
    expect(written).toBeGreaterThan(0);
    await mai.shutdown();

    // Resumed with summaries turned off: what it summarizes now can only come from the file.
    const config = path.join(sandbox?.env.XDG_CONFIG_HOME ?? '', 'mai');
    await mkdir(config, {recursive: true});
    await writeFile(path.join(config, 'models.yaml'), 'context:\n  summaries: false\n');
    const resumed = await startMai(['demo-medium', 'small-context'], SMALL, id);
    await resumed.models.ensureCurrent();
    expect(resumed.getConversationHistory()).toHaveLength(14);
    expect(resumed.store.getState().chat.context).toMatchObject({model: SMALL, messages: 14});
    expect(resumed.store.getState().chat.context?.summarized).toBeGreaterThan(0);
    expect(await summaries()).toBe(written);
  });

  it('cuts a message longer than the whole window in the middle, with a visible marker, and keeps it whole in the history', async () => {
    const mai = await startMai(['small-context']);
    const long = `Start of my notes. ${'All work and no play makes a dull day. '.repeat(60)}So, what do you think?`;
    const reply = await mai.processMessage(long);
    expect(reply.text).toBe(TEST_MODELS['small-context'].message);
    expect(mai.store.getState().chat.context).toMatchObject({truncated: true, kept: 1});
    const sent = mai.context.lastPrompt();
    const content = sent?.messages.at(-1)?.content ?? '';
    expect(content).toMatch(/^Start of my notes\./);
    expect(content).toMatch(/So, what do you think\?$/);
    expect(content).toMatch(/\[… [\d,]+ characters cut here by mai to fit the model's context …\]/);
    expect(await current(mai).exactTokens(sent?.messages ?? [])).toBeLessThanOrEqual(promptBudget(512, QUARTER));
    expect(mai.getConversationHistory()[0]?.text).toBe(long);
  });
});

describe('a reply being written', () => {
  it('reaches the file as it streams, and all of it at once when the process is about to die', async () => {
    sandbox = await createSandbox([]);
    const dir = path.join(sandbox.home, 'conversations');
    const context = new ContextManager({store: createMaiStore(), log: silentLog, settings: {replyRoom: QUARTER, systemPrompt: '', summaries: false, maxReplyTokens: 256}, conversationsDir: dir});
    await context.addUserMessage('hello');
    const reply = context.startReply('some-model');
    const file = ConversationFile.pathFor(dir, context.conversationId ?? '');
    const saved = async () => replayConversation(await readFile(file, 'utf8')).messages.at(-1);
    reply.append('The first words');
    // The first text is written at once; what follows within 200 ms waits for the next write.
    reply.append(', then more');
    expect(await saved()).toMatchObject({role: 'assistant', text: 'The first words', interrupted: true});
    // An uncaught error: the crash handler writes what is pending before the process exits.
    context.saveNow();
    expect(await saved()).toMatchObject({text: 'The first words, then more', interrupted: true});
    reply.finish({text: 'The first words, then more.', model: 'some-model', interrupted: false});
    expect(await saved()).toMatchObject({text: 'The first words, then more.', model: 'some-model'});
    expect((await saved())?.interrupted).toBeUndefined();
    await context.close();
  });
});

describe('a turn done again', () => {
  async function conversationWithOneTurn() {
    sandbox = await createSandbox([]);
    const dir = path.join(sandbox.home, 'conversations');
    const store = createMaiStore();
    const context = new ContextManager({store, log: silentLog, settings: {replyRoom: QUARTER, systemPrompt: '', summaries: false, maxReplyTokens: 256}, conversationsDir: dir});
    const asked = await context.addUserMessage('hello');
    context.startReply('some-model').finish({text: 'the old reply', model: 'some-model', interrupted: false});
    const file = ConversationFile.pathFor(dir, context.conversationId ?? '');
    const onDisk = async () => {
      const text = await readFile(file, 'utf8');
      return {texts: replayConversation(text).messages.map((m) => m.text), rewinds: text.split('\n').filter((line) => line.includes('"type":"rewind"')).length};
    };
    const onScreen = () => store.getState().chat.messages.map((m) => m.text);
    return {context, asked, onDisk, onScreen};
  }

  it('that fails before its first word leaves the turn as it was, in the chat and the file; a crash before it too', async () => {
    const {context, onDisk, onScreen} = await conversationWithOneTurn();
    const old = context.messages().at(-1)?.id ?? '';
    context.beginTurn();
    await context.rewind(old, 'regenerate');
    expect(onScreen()).toEqual(['hello']);
    const reply = context.startReply('some-model');
    // A crash now: the file still holds the old reply, and nothing of the new one.
    expect(await onDisk()).toEqual({texts: ['hello', 'the old reply'], rewinds: 0});
    reply.finish({text: '', model: 'some-model', interrupted: true});
    context.endTurn();
    expect(onScreen()).toEqual(['hello', 'the old reply']);
    expect(context.messages().map((m) => m.text)).toEqual(['hello', 'the old reply']);
    await context.close();
    expect(await onDisk()).toEqual({texts: ['hello', 'the old reply'], rewinds: 0});
  });

  it('writes its rewind, and an edited message, with the first words of its reply', async () => {
    const {context, asked, onDisk, onScreen} = await conversationWithOneTurn();
    context.beginTurn();
    await context.rewind(asked.id, 'edit');
    await context.addUserMessage('hello again');
    const reply = context.startReply('some-model');
    expect(await onDisk()).toEqual({texts: ['hello', 'the old reply'], rewinds: 0});
    reply.append('the new');
    expect(await onDisk()).toEqual({texts: ['hello again', 'the new'], rewinds: 1});
    reply.finish({text: 'the new reply', model: 'some-model', interrupted: false});
    context.endTurn();
    expect(onScreen()).toEqual(['hello again', 'the new reply']);
    await context.close();
    expect(await onDisk()).toEqual({texts: ['hello again', 'the new reply'], rewinds: 1});
  });

  it('an edited message whose reply never started is not kept', async () => {
    const {context, asked, onDisk, onScreen} = await conversationWithOneTurn();
    context.beginTurn();
    await context.rewind(asked.id, 'edit');
    await context.addUserMessage('hello again');
    expect(onScreen()).toEqual(['hello again']);
    context.endTurn();
    expect(onScreen()).toEqual(['hello', 'the old reply']);
    await context.close();
    expect(await onDisk()).toEqual({texts: ['hello', 'the old reply'], rewinds: 0});
  });
});
