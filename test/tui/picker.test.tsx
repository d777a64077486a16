import '../support/force-color.js';
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {cleanup} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {renderChat, words} from '../support/chat-screen.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {TEST_MODELS} from '../support/models.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// The model picker (Ctrl+O), the conversation picker (Ctrl+R), the help's keys and keys chosen in
// the config, on the real Mai and the real engine, driven by keystrokes.


const CTRL_O = '\u000f';
const CTRL_R = '\u0012';

let sandbox: Sandbox | undefined;
const mais: Mai[] = [];

afterEach(async () => {
  cleanup();
  await Promise.all(mais.splice(0).map((mai) => mai.shutdown()));
  await sandbox?.cleanup();
  sandbox = undefined;
});

async function startApp(models: Parameters<typeof createSandbox>[0], config?: string) {
  sandbox ??= await createSandbox(models);
  if (config !== undefined) {
    const dir = path.join(sandbox.env.XDG_CONFIG_HOME ?? '', 'mai');
    await mkdir(dir, {recursive: true});
    await writeFile(path.join(dir, 'models.yaml'), config);
  }
  const mai = await Mai.create({env: sandbox.env, forgeDemoModels: false});
  mais.push(mai);
  return {...renderChat(mai), mai};
}

/** The picker's rows: the lines of the frame that describe a model ("… · needs 12M · fits …"). */
function modelRows(frame: string): string[] {
  return frame.split('\n').filter((line) => line.includes(' needs '));
}

const statusBar = (frame: string) => frame.split('\n').at(-1) ?? '';

/**
 * The picker's filter field as the user sees it, the cursor cell (drawn in inverse video) in
 * brackets: "sm[a]l" is "smal" with the cursor on its "a". It is the line under the title.
 */
function filterField(rawFrame: string): string {
  const lines = rawFrame.split('\n');
  const title = lines.findIndex((line) => stripAnsi(line).includes('pick a model'));
  const line = lines[title + 1] ?? '';
  const marked = stripAnsi(line.replace(/\u001b\[7m(.*?)\u001b\[27m/g, '[$1]'));
  return /│ > (.*?) *│/.exec(marked)?.[1] ?? marked;
}

describe('the model picker', () => {
  it('filters fuzzily as you type, and Enter switches to the chosen model and pins it', async () => {
    const {stdin, frame} = await startApp(['demo-small', 'demo-medium', 'demo-large']);
    await waitFor(() => frame().includes('● mai-demo-small'));

    await press(stdin, CTRL_O);
    await waitFor(() => frame().includes('pick a model'));
    expect(modelRows(frame())).toHaveLength(3);
    // Each row: tier, size, memory estimate, fits now, current, where it runs.
    expect(modelRows(frame()).find((row) => row.includes('mai-demo-small'))).toMatch(/small · \S+ · needs \S+ · fits · current · embedded · demo/);

    // "lrg" is in "large" only, not in order in any other row's name, source or tier.
    await type(stdin, 'lrg');
    await waitFor(() => modelRows(frame()).length === 1);
    expect(modelRows(frame())[0]).toContain('mai-demo-large');

    await press(stdin, KEYS.enter);
    await waitFor(() => !frame().includes('pick a model'));
    await waitFor(() => statusBar(frame()).includes('model mai-demo-large'));
    await waitFor(() => frame().includes('● mai-demo-large'));
    expect(statusBar(frame())).toMatch(/ · pinned/);
    // Nothing typed in the picker reached the message being written.
    expect(frame()).not.toMatch(/> lrg/);
  });

  it('lists the models switched to lately first, and ↑ ↓ choose among the rows', async () => {
    const {stdin, frame} = await startApp(['demo-small', 'demo-medium', 'demo-large']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await press(stdin, KEYS.ctrlN);
    await waitFor(() => /model mai-demo-(medium|large)/.test(statusBar(frame())));
    const next = /model (mai-demo-\w+)/.exec(statusBar(frame()))?.[1] ?? '';
    const rest = ['mai-demo-medium', 'mai-demo-large'].find((key) => key !== next);

    await press(stdin, CTRL_O);
    await waitFor(() => frame().includes('pick a model'));
    const order = modelRows(frame()).map((row) => /mai-demo-\w+/.exec(row)?.[0]);
    // The current model, then the one the chat started on, then the rest.
    expect(order).toEqual([next, 'mai-demo-small', rest]);

    await press(stdin, KEYS.down, KEYS.down, KEYS.up, KEYS.down);
    await press(stdin, KEYS.enter);
    await waitFor(() => statusBar(frame()).includes(`model ${rest}`));
  });

  it('edits the filter at a cursor that ← → Home End move, one character at a time', async () => {
    const {stdin, frame, lastFrame} = await startApp(['demo-small', 'demo-medium', 'demo-large']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    const field = () => filterField(lastFrame() ?? '');

    await press(stdin, CTRL_O);
    await waitFor(() => frame().includes('pick a model'));
    expect(field()).toBe('type to filter[ ]');

    await type(stdin, 'smal');
    await waitFor(() => field() === 'smal[ ]');
    expect(modelRows(frame()).map((row) => /mai-demo-\w+/.exec(row)?.[0])).toEqual(['mai-demo-small']);

    // Typed text lands at the cursor, and the rows are those of the new filter.
    await press(stdin, KEYS.left, KEYS.left);
    await waitFor(() => field() === 'sm[a]l');
    await type(stdin, 'X');
    await waitFor(() => field() === 'smX[a]l');
    await waitFor(() => frame().includes('nothing matches'));
    expect(modelRows(frame())).toEqual([]);

    // Home, then Delete erases the first character; End, then Backspace the last.
    await press(stdin, KEYS.home);
    await waitFor(() => field() === '[s]mXal');
    await press(stdin, KEYS.delete);
    await waitFor(() => field() === '[m]Xal');
    await press(stdin, KEYS.end);
    await waitFor(() => field() === 'mXal[ ]');
    await press(stdin, KEYS.backspace);
    await waitFor(() => field() === 'mXa[ ]');
    // → at the end stays there; the key after it shows it did not move.
    await press(stdin, KEYS.right, KEYS.left);
    await waitFor(() => field() === 'mX[a]');

    // Backspace in the middle: "ma" is in every model's name, so every row is back.
    await press(stdin, KEYS.backspace);
    await waitFor(() => field() === 'm[a]');
    await waitFor(() => modelRows(frame()).length === 3);

    // A paste goes in at the cursor too; Ctrl+U empties the field.
    await press(stdin, KEYS.home, 'lar');
    await waitFor(() => field() === 'lar[m]a');
    expect(modelRows(frame()).map((row) => /mai-demo-\w+/.exec(row)?.[0])).toEqual(['mai-demo-large']);
    await press(stdin, KEYS.ctrlU);
    await waitFor(() => field() === 'type to filter[ ]');
    expect(modelRows(frame())).toHaveLength(3);
  });

  it('closes with Esc and changes nothing', async () => {
    const {stdin, frame, mai} = await startApp(['demo-small', 'demo-medium']);
    await waitFor(() => frame().includes('● mai-demo-small'));

    await press(stdin, CTRL_O);
    await waitFor(() => frame().includes('pick a model'));
    await type(stdin, 'med');
    await press(stdin, KEYS.down);
    await press(stdin, KEYS.escape);
    await waitFor(() => !frame().includes('pick a model'));

    expect(frame()).toContain('● mai-demo-small');
    expect(frame()).toContain('○ mai-demo-medium');
    expect(statusBar(frame())).not.toMatch(/pinned/);
    expect(mai.store.getState().models.pinnedKey).toBeNull();
    // The chat is back, its composer empty: "med" went to the filter only.
    await type(stdin, 'x');
    await waitFor(() => /> x/.test(frame()));
    expect(frame()).not.toMatch(/> medx/);
  });
});

describe('the conversation picker', () => {
  it('lists the saved conversations, and Enter shows the chosen one and goes on in its file', async () => {
    sandbox = await createSandbox(['demo-small']);
    // Two conversations saved by earlier runs of mai.
    const ids: string[] = [];
    for (const question of ['what is a tokenizer?', 'tell me about penguins']) {
      const earlier = await Mai.create({env: sandbox.env, forgeDemoModels: false});
      await earlier.processMessage(question);
      ids.push(earlier.conversationId ?? '');
      await earlier.shutdown();
    }

    const {stdin, frame, mai} = await startApp(['demo-small']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await press(stdin, CTRL_R);
    await waitFor(() => frame().includes('tell me about penguins') && frame().includes('what is a tokenizer?'));
    expect(frame()).toContain('resume a conversation');
    expect(frame()).toMatch(/tell me about penguins\s+\d{4}-\d\d-\d\d \d\d:\d\d · 2 messages/);

    await type(stdin, 'tokenizer');
    await waitFor(() => !frame().includes('tell me about penguins'));
    await press(stdin, KEYS.enter);
    await waitFor(() => !frame().includes('resume a conversation'));
    await waitFor(() => frame().includes('what is a tokenizer?') && words(TEST_MODELS['demo-small'].message).test(frame()));
    expect(statusBar(frame())).toContain(`resumed conversation ${ids[0]}: 2 messages`);
    expect(mai.conversationId).toBe(ids[0]);

    // From now on the chat is saved to that conversation's file.
    await type(stdin, 'and more');
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.getConversationHistory().length === 4);
    await mai.shutdown();
    const reread = await Mai.create({env: sandbox.env, forgeDemoModels: false, resume: ids[0]});
    mais.push(reread);
    const userMessages = reread.getConversationHistory().filter((message) => message.role === 'user');
    expect(userMessages.map((message) => message.text)).toEqual(['what is a tokenizer?', 'and more']);
  });

  it('marks the conversation on screen and selects the one before it: Enter goes back to it', async () => {
    sandbox = await createSandbox(['demo-small']);
    const earlier = await Mai.create({env: sandbox.env, forgeDemoModels: false});
    await earlier.processMessage('tell me about penguins');
    const earlierId = earlier.conversationId;
    await earlier.shutdown();

    const {stdin, frame, mai} = await startApp(['demo-small']);
    await waitFor(() => frame().includes('● mai-demo-small'));
    await type(stdin, 'what is a tokenizer?');
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.getConversationHistory().length === 2);
    const onScreen = mai.conversationId;

    await press(stdin, CTRL_R);
    await waitFor(() => frame().includes('tell me about penguins'));
    expect(frame()).toMatch(/● what is a tokenizer\?\s+\d{4}-\d\d-\d\d \d\d:\d\d · 2 messages · on screen/);
    expect(frame()).toMatch(/› tell me about penguins/);
    await press(stdin, KEYS.enter);
    await waitFor(() => mai.conversationId === earlierId);
    expect(onScreen).not.toBe(earlierId);
    await waitFor(() => statusBar(frame()).includes(`resumed conversation ${earlierId}: 2 messages`));
  });
});

describe('the help and keys from the config', () => {
  it('lists the picker keys in the help', async () => {
    const {stdin, frame} = await startApp([]);
    await press(stdin, KEYS.f1);
    await waitFor(() => frame().includes('help'));
    expect(frame()).toMatch(/Ctrl\+O\s+pick a model/);
    expect(frame()).toMatch(/Ctrl\+R\s+resume a past conversation/);
  });

  it('uses a key remapped in the config instead of the default, and reports a key already taken', async () => {
    const {stdin, frame} = await startApp([], 'keys:\n  model_picker: f3\n  conversation_picker: ctrl+n\n');
    await press(stdin, CTRL_O);
    expect(frame()).not.toContain('pick a model');
    await press(stdin, KEYS.f3);
    await waitFor(() => frame().includes('pick a model'));
    await press(stdin, KEYS.escape);
    await waitFor(() => !frame().includes('pick a model'));

    // The conflicting remap was not made: Ctrl+R still opens the conversations.
    await press(stdin, CTRL_R);
    await waitFor(() => frame().includes('resume a conversation'));
    await press(stdin, KEYS.escape);

    // The help shows the keys in force, and what was wrong with the config's, for as long as mai runs.
    await press(stdin, KEYS.f1);
    await waitFor(() => /F3\s+pick a model/.test(frame()));
    expect(frame()).toContain("keys.conversation_picker: Ctrl+N is already next_model's key; next_model keeps it");
    expect(frame()).toMatch(/Ctrl\+R\s+resume a past conversation/);
  });
});
