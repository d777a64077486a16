import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {renderChat, words} from '../support/chat-screen.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {waitFor} from '../support/wait-for.js';
import {expectNoCommunicationWarnings, startLMStudio, type EmulatedLMStudio} from '../support/lmstudio.js';
import {TEST_MODELS, type TestModelKey} from '../support/models.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';

// The whole TUI on the real Mai, with LM Studio played by the emulator (real SDK client, real
// engine behind it): what a user sees in the panel and the chat.

let sandbox: Sandbox | undefined;
let lmstudio: EmulatedLMStudio | undefined;
let mai: Mai | undefined;

afterEach(async () => {
  cleanup();
  await mai?.shutdown();
  if (lmstudio) {
    expectNoCommunicationWarnings(lmstudio.emulator);
    await lmstudio.close();
  }
  await sandbox?.cleanup();
  mai = undefined;
  lmstudio = undefined;
  sandbox = undefined;
});

async function startApp(embedded: readonly TestModelKey[], served: readonly TestModelKey[]) {
  sandbox = await createSandbox(embedded);
  lmstudio = await startLMStudio(served);
  sandbox.env.LMSTUDIO_URL = lmstudio.emulator.url;
  mai = await Mai.create({env: sandbox.env, forgeDemoModels: false});
  return {...renderChat(mai), mai, emulator: lmstudio.emulator};
}

describe('the chat with LM Studio, end to end', () => {
  it('shows LM Studio and its models in the panel, chats with one, and Ctrl+N goes on with an embedded one', async () => {
    const {stdin, frame, mai} = await startApp(['demo-small'], ['tiny']);
    await waitFor(() => frame().includes('● test-tiny'));
    expect(frame()).toMatch(/● LM Studio 0\.3\.99-emulator/);
    expect(frame()).toMatch(/small · \d.*· LM Studio/);

    await type(stdin, 'hello LM Studio');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS.tiny.message).test(frame()));
    expect(frame()).toMatch(/model test-tiny · \d+ tok\/s/);

    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await type(stdin, 'and now you');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS['demo-small'].message).test(frame()));
    expect(words(TEST_MODELS.tiny.message).test(frame())).toBe(true);
    expect(mai.getConversationHistory().map((message) => message.model ?? message.text)).toEqual([
      'hello LM Studio',
      'test-tiny',
      'and now you',
      'mai-demo-small',
    ]);
  });

  it('finishes a reply cut by a dropped connection on an embedded model, with a divider, and the next message works', async () => {
    const {stdin, frame, mai, emulator} = await startApp(['demo-small'], ['tiny']);
    await waitFor(() => frame().includes('● test-tiny') && mai.store.getState().models.status['test-tiny']?.state === 'loaded');
    emulator.faults = {dropAfterFragments: 3};
    await type(stdin, 'hello');
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.getConversationHistory().length === 2 && !mai.store.getState().chat.busy);
    // What LM Studio's model wrote stays; mai's own engine goes on from it, under a divider that says why.
    expect(frame()).toMatch(/↻ test-tiny → mai-demo-small: test-tiny: backend gone/);
    expect(frame()).toMatch(/Tiny[\s│]+test[\s│]+model/);
    expect(frame()).not.toContain('[interrupted]');
    const reply = mai.getConversationHistory().at(-1);
    expect(reply).toMatchObject({role: 'assistant', model: 'mai-demo-small'});
    expect(reply?.text.startsWith('Tiny test model')).toBe(true);

    await waitFor(() => frame().includes('● LM Studio 0.3.99-emulator'));
    await type(stdin, 'again');
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.getConversationHistory().length === 4 && !mai.store.getState().chat.busy);
    const last = mai.getConversationHistory().at(-1);
    expect(last?.interrupted).toBeUndefined();
    expect(last?.text).toBe(last?.model === 'test-tiny' ? TEST_MODELS.tiny.message : TEST_MODELS['demo-small'].message);
  });

  it("shows an LM Studio model's load progress in the panel", async () => {
    const {stdin, frame, mai, emulator} = await startApp(['demo-small'], ['tiny']);
    await waitFor(() => frame().includes('● test-tiny') && mai.store.getState().models.status['test-tiny']?.state === 'loaded');
    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-small'));
    emulator.faults = {loadDelayMs: 3000};
    await press(stdin, KEYS.ctrlP);
    await waitFor(() => /○ test-tiny[\s│]+small · 1\.1M · [1-9]\d?%/.test(frame()));
    await waitFor(() => frame().includes('● test-tiny'));
  });

  it('runs on embedded models with LM Studio not running, and says so in the panel', async () => {
    sandbox = await createSandbox(['demo-small']);
    mai = await Mai.create({env: sandbox.env, forgeDemoModels: false});
    const {stdin, frame} = renderChat(mai);
    await waitFor(() => frame().includes('● mai-demo-small'));
    expect(frame()).toContain('○ LM Studio: not running');
    await type(stdin, 'hi');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS['demo-small'].message).test(frame()));
  });
});
