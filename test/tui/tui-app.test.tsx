import {describe, expect, it} from 'vitest';
import {chatApps, type ChatApps} from '../support/chat-apps.js';
import {words} from '../support/chat-screen.js';
import {TEST_MODELS} from '../support/models.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {waitFor} from '../support/wait-for.js';

// The whole TUI on the real Mai and the real engine: what a user sees after typing and pressing keys.

const apps = chatApps();
const startApp = (models: Parameters<ChatApps['start']>[0]) => apps.start(models);

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
    // The whole reply can be on screen a moment before it ends and joins the conversation.
    await waitFor(() => mai.getConversationHistory().length === 2);
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
    await waitFor(() => mai.getConversationHistory().length === 4);
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
});
