import {describe, expect, it} from 'vitest';
import {chatApps} from '../support/chat-apps.js';
import {words} from '../support/chat-screen.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {TEST_MODELS} from '../support/models.js';
import {keyOf} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// R2 (issue 13) in the chat: a GGUF cut short in its tensor data, asked for with --model, beside a
// model that works. The chat says why it cannot be used, stays up, and the other model answers.
// (The same file through `mai models` and `mai ask` is test/cli/cli.test.ts's R2.)

const apps = chatApps();
const statusRow = (frame: string) => frame.split('\n').at(-1) ?? '';

describe('a truncated GGUF at the head of the chain, in the chat', () => {
  it('R2: the status bar names the truncated file, the models box marks it unusable, the other model answers and its load says why', async () => {
    const cut = keyOf('truncated');
    const {stdin, frame, mai} = await apps.start(['truncated', 'tiny'], {mai: {model: cut}});
    await waitFor(() => statusRow(frame()).includes(`${cut}: truncated: ${TEST_MODELS.truncated.fileName} has `), {
      what: 'the reason on the status bar',
      detail: frame,
    });
    expect(frame()).toMatch(new RegExp(`○ ${cut}[ │]*\\n.*✗ unusable`));

    await type(stdin, 'hello');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(TEST_MODELS.tiny.message).test(frame()), {what: 'the reply of test-tiny', timeoutMs: 60_000, detail: frame});
    expect(frame()).toContain('● test-tiny');
    // The load that replaced it says why, for as long as the status bar shows it.
    expect(statusRow(frame())).toContain(`loaded test-tiny: ${cut} can't be used: truncated`);
    expect(mai.getConversationHistory().map((message) => message.model ?? message.text)).toEqual(['hello', 'test-tiny']);
  });
});
