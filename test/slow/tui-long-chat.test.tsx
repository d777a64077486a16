import {describe, expect, it} from 'vitest';
import {chatApps, type ChatApps} from '../support/chat-apps.js';
import {words} from '../support/chat-screen.js';
import {TEST_MODELS} from '../support/models.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {waitFor} from '../support/wait-for.js';
import {latestNotice} from '../../src/store.js';

// A long chat through the whole TUI (30 replies, then a switch to a smaller context): slow, so it
// runs in `npm run test:slow`, not in every `npm test`.

const apps = chatApps();
const startApp = (models: Parameters<ChatApps['start']>[0]) => apps.start(models);

describe('a long chat, end to end', () => {
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
    expect(latestNotice(mai.store.getState())?.level).not.toBe('error');
    const report = mai.store.getState().chat.context;
    expect(report?.promptTokens).toBeLessThanOrEqual(768);
    expect((report?.kept ?? 0) + (report?.summarized ?? 0) + (report?.dropped ?? 0)).toBe(61);
  }, 240_000);
});
