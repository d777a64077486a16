import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {renderChat, words} from '../support/chat-screen.js';
import {TEST_MODELS} from '../support/models.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {waitFor} from '../support/wait-for.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';

// The whole TUI on the real Mai and the real engine: what a user sees after typing and pressing keys.

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;

afterEach(async () => {
  cleanup();
  await mai?.shutdown();
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

async function startApp(models: Parameters<typeof createSandbox>[0]) {
  sandbox = await createSandbox(models);
  mai = await Mai.create({env: sandbox.env, forgeDemoModels: false});
  return {...renderChat(mai), mai};
}

describe('the chat, end to end', () => {
  it('streams a reply from the real engine into the chat pane', async () => {
    const {stdin, frame, mai} = await startApp(['demo-medium', 'demo-small']);
    // The chat starts on the model a simple message gets: the fastest tier that is enough.
    await waitFor(() => frame().includes('● mai-demo-small'));
    await type(stdin, 'hello mai');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS['demo-small'].message).test(frame()));
    expect(frame()).toContain('hello mai');
    expect(frame()).toMatch(/model mai-demo-small · \d+ tok\/s/);
    expect(mai.getConversationHistory().map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('switches the model with Ctrl+N, keeps the conversation, and answers with the new model', async () => {
    const {stdin, frame, mai} = await startApp(['demo-medium', 'demo-small']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await type(stdin, 'first');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS['demo-small'].message).test(frame()));

    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-medium'));
    expect(frame()).toContain('○ mai-demo-small');
    expect(frame()).toContain('switched from mai-demo-small');
    // The user chose it: pinned, so the simple message that follows stays on it.
    expect(frame()).toMatch(/ · pinned/);

    await type(stdin, 'second');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS['demo-medium'].message).test(frame()));
    // The first exchange is still on screen and in the conversation the model received.
    expect(words(TEST_MODELS['demo-small'].message).test(frame())).toBe(true);
    expect(mai.getConversationHistory().map((message) => message.model ?? message.text)).toEqual([
      'first',
      'mai-demo-small',
      'second',
      'mai-demo-medium',
    ]);
  });

  it('stops a reply with Esc and keeps what was written, marked interrupted', async () => {
    const {stdin, frame, mai} = await startApp(['looping']);
    await waitFor(() => frame().includes('● test-looping'));
    await type(stdin, 'go on');
    await press(stdin, KEYS.enter);
    await waitFor(() => frame().includes('I repeat myself'));
    await press(stdin, KEYS.escape);
    await waitFor(() => frame().includes('[interrupted]'));
    expect(mai.getConversationHistory().at(-1)).toMatchObject({role: 'assistant', interrupted: true});
  });

  it('after 30 exchanges, Ctrl+N to a model with a smaller context keeps chatting and says how the context was fitted', async () => {
    const {stdin, frame, mai} = await startApp(['demo-medium', 'demo-small']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-medium'));
    for (let i = 1; i <= 30; i++) {
      await type(stdin, `question ${i}`);
      await press(stdin, KEYS.enter);
      await waitFor(() => mai.getConversationHistory().length === 2 * i && !mai.store.getState().chat.busy);
    }
    expect(mai.getConversationHistory().every((message) => !message.interrupted)).toBe(true);
    const statusBar = () => frame().split('\n').at(-1) ?? '';
    expect(statusBar()).toMatch(/model mai-demo-medium · \d+ tok\/s · pinned · ctx [\d,]+\/2,048/);

    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-small'));
    // 60 messages do not fit 1,024 tokens: the status bar says what was kept, summarized, dropped.
    await waitFor(() => /ctx [\d,]+\/1,024: \d+ kept(, \d+ summarized)?(, \d+ dropped)?/.test(statusBar()));

    await type(stdin, 'and now?');
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.getConversationHistory().length === 62 && !mai.store.getState().chat.busy);
    expect(mai.getConversationHistory().at(-1)).toMatchObject({model: 'mai-demo-small', text: TEST_MODELS['demo-small'].message});
    expect(words(TEST_MODELS['demo-small'].message).test(frame())).toBe(true);
    expect(statusBar()).toMatch(/model mai-demo-small · \d+ tok\/s · pinned · ctx [\d,]+\/1,024: \d+ kept/);
    expect(mai.store.getState().ui.notice?.level).not.toBe('error');
    const report = mai.store.getState().chat.context;
    expect(report?.promptTokens).toBeLessThanOrEqual(768);
    expect((report?.kept ?? 0) + (report?.summarized ?? 0) + (report?.dropped ?? 0)).toBe(61);
  }, 240_000);
});
