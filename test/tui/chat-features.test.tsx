import '../support/force-color.js';
import {chmod, mkdir, readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {osc52} from '../../components/chat/clipboard.js';
import {encodeEvent, replayConversation, type ConversationEvent} from '../../src/conversation/conversation-events.js';
import type {Mai} from '../../src/mai.js';
import {chatApps, type ChatApps} from '../support/chat-apps.js';
import {words} from '../support/chat-screen.js';
import {KEYS, press, type} from '../support/ink-keys.js';
import {TEST_MODELS} from '../support/models.js';
import type {Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// The chat features of issue 11 (item 6) on the real Mai and the real engine, driven by keys:
// regenerate, edit and resend, search, copy, $EDITOR, thinking folded, a message sent while the
// model loads, the mouse wheel and Home/End.


const apps = chatApps();
const savedEditor = {VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR};

afterEach(() => {
  for (const [name, value] of Object.entries(savedEditor)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const SMALL = TEST_MODELS['demo-small'].message;
const MEDIUM = TEST_MODELS['demo-medium'].message;
const AT = Date.UTC(2026, 11, 2, 5, 0, 0);
const RESUMED_ID = '20261202-050000-beef';

async function startApp(models: Parameters<ChatApps['start']>[0], resumed?: readonly ConversationEvent[]) {
  return apps.start(models, {
    prepare: async (sandbox) => {
      if (!resumed) return;
      const dir = conversationsDir(sandbox);
      await mkdir(dir, {recursive: true, mode: 0o700});
      const file = path.join(dir, `${RESUMED_ID}.jsonl`);
      await writeFile(file, [{type: 'conversation', v: 1, id: RESUMED_ID, at: AT} as const, ...resumed].map(encodeEvent).join(''), {mode: 0o600});
    },
    mai: resumed ? {resume: RESUMED_ID} : {},
  });
}

function conversationsDir(box: Sandbox): string {
  return path.join(box.env.XDG_STATE_HOME ?? '', 'mai', 'conversations');
}

async function savedConversation(app: {mai: Mai}) {
  const id = app.mai.conversationId;
  const sandbox = apps.sandbox();
  if (!id || !sandbox) throw new Error('the conversation has a file');
  return replayConversation(await readFile(path.join(conversationsDir(sandbox), `${id}.jsonl`), 'utf8'));
}

/** A past conversation of `turns` exchanges ("question N" / "answer N"). */
function turns(count: number, reply: (n: number) => string = (n) => `answer ${n}`): ConversationEvent[] {
  return Array.from({length: count}, (_, i): ConversationEvent[] => [
    {type: 'message', id: `u${i}`, role: 'user', text: `question ${i}`, at: AT + i},
    {type: 'started', id: `a${i}`, model: 'mai-demo-small', at: AT + i},
    {type: 'completed', id: `a${i}`, model: 'mai-demo-small', text: reply(i), at: AT + i, interrupted: false},
  ]).flat();
}

// Loading a model in the real engine takes seconds, more on a machine shared with other test runs.
const LOAD = {timeoutMs: 60_000};

/**
 * The model's next reply fails before its first word: its engine is gone (killed while idle) and
 * its file no longer loads (the sandbox's link replaced by garbage; the forged file is untouched).
 */
async function breakModel(app: {mai: Mai; sandbox: Sandbox}, model: 'demo-small'): Promise<void> {
  const pid = app.mai.models.loadedHandles()[0]?.pid;
  if (pid === undefined) throw new Error('a model is loaded');
  process.kill(pid, 'SIGKILL');
  await waitFor(() => app.mai.store.getState().models.currentKey === null, {what: 'mai to notice the dead engine', ...LOAD});
  const file = path.join(app.sandbox.modelDir, TEST_MODELS[model].fileName);
  await rm(file);
  await writeFile(file, 'not a model any more');
}

const statusRow = (frame: string) => frame.split('\n').at(-1) ?? '';
const composerRow = (frame: string) => frame.split('\n').find((line) => line.startsWith('│ > ')) ?? '';

describe('regenerate and edit', () => {
  it('Ctrl+G writes the last reply again on the current model; the old one is gone from the chat and the file', async () => {
    const app = await startApp(['demo-medium', 'demo-small']);
    const {stdin, frame} = app;
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await type(stdin, 'hello');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(SMALL).test(frame()) && !frame().includes('reply in progress'), LOAD);

    await press(stdin, KEYS.ctrlN);
    await waitFor(() => frame().includes('● mai-demo-medium'), LOAD);
    await press(stdin, '\u0007');
    await waitFor(() => words(MEDIUM).test(frame()) && !frame().includes('reply in progress'), LOAD);
    expect(words(SMALL).test(frame())).toBe(false);
    const expected = [
      ['user', 'hello'],
      ['assistant', 'mai-demo-medium'],
    ];
    expect(app.mai.getConversationHistory().map((m) => [m.role, m.model ?? m.text])).toEqual(expected);
    await app.mai.shutdown();
    expect((await savedConversation(app)).messages.map((m) => [m.role, m.model ?? m.text])).toEqual(expected);
  });

  it('Up in an empty composer brings back the last message; Enter replaces that turn, in the chat and the file', async () => {
    const app = await startApp(['demo-small']);
    const {stdin, frame} = app;
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await type(stdin, 'first');
    await press(stdin, KEYS.enter);
    await waitFor(() => words(SMALL).test(frame()) && !frame().includes('reply in progress'), LOAD);
    await type(stdin, 'secnod');
    await press(stdin, KEYS.enter);
    await waitFor(() => !frame().includes('reply in progress') && app.mai.getConversationHistory().length === 4, LOAD);

    await press(stdin, KEYS.up);
    expect(composerRow(frame())).toMatch(/^│ > secnod/);
    expect(frame()).toContain('editing your last message');
    await press(stdin, KEYS.backspace, KEYS.backspace, KEYS.backspace);
    await type(stdin, 'ond');
    await press(stdin, KEYS.enter);
    await waitFor(() => frame().includes('second') && !frame().includes('secnod') && !frame().includes('reply in progress'), LOAD);
    await waitFor(() => app.mai.getConversationHistory().length === 4, LOAD);
    const expected = ['first', 'mai-demo-small', 'second', 'mai-demo-small'];
    expect(app.mai.getConversationHistory().map((m) => m.model ?? m.text)).toEqual(expected);
    expect(frame()).not.toContain('editing your last message');
    await app.mai.shutdown();
    expect((await savedConversation(app)).messages.map((m) => m.model ?? m.text)).toEqual(expected);
  });
});

describe('a turn done again that fails before its first word', () => {
  /** One exchange on mai-demo-small, then its model file broken: what comes next cannot load. */
  async function answeredThenBroken(text: string) {
    const app = await startApp(['demo-small']);
    await waitFor(() => app.frame().includes('● mai-demo-small'), LOAD);
    await type(app.stdin, text);
    await press(app.stdin, KEYS.enter);
    await waitFor(() => words(SMALL).test(app.frame()) && !app.frame().includes('reply in progress'), LOAD);
    const before = app.mai.getConversationHistory().map((m) => [m.role, m.text]);
    await breakModel(app, 'demo-small');
    return {app, before};
  }

  it('Ctrl+G keeps the old reply, on screen, in the file and after --resume, and says why the new one failed', async () => {
    const {app, before} = await answeredThenBroken('hello');
    const {stdin, frame} = app;
    await press(stdin, '\u0007');
    await waitFor(() => statusRow(frame()).includes('the last reply stays') && !frame().includes('reply in progress'), LOAD);
    expect(statusRow(frame())).toContain('the last reply stays; the new reply failed: no model could be loaded');
    expect(words(SMALL).test(frame())).toBe(true);
    expect(app.mai.getConversationHistory().map((m) => [m.role, m.text])).toEqual(before);
    const id = app.mai.conversationId;
    await app.mai.shutdown();
    expect((await savedConversation(app)).messages.map((m) => [m.role, m.text])).toEqual(before);

    // --resume reads the same file: the old reply is there.
    cleanup();
    const resumed = await apps.start(['demo-small'], {mai: {resume: id ?? ''}});
    await waitFor(() => words(SMALL).test(resumed.frame()), LOAD);
    expect(resumed.mai.getConversationHistory().map((m) => [m.role, m.text])).toEqual(before);
  });

  it('an edited message resent keeps the old turn, on screen and in the file, says why the reply failed, and gives the edit back', async () => {
    const {app, before} = await answeredThenBroken('first');
    const {stdin, frame} = app;
    await press(stdin, KEYS.up);
    await press(stdin, KEYS.backspace, KEYS.backspace);
    await type(stdin, 'ly');
    await press(stdin, KEYS.enter);
    await waitFor(() => statusRow(frame()).includes('your edit was not sent') && !frame().includes('reply in progress'), LOAD);
    expect(statusRow(frame())).toContain('your edit was not sent; the new reply failed: no model could be loaded');
    // The edit is back where it was typed, still the edit of that message; the chat holds the old turn.
    expect(composerRow(frame())).toMatch(/^│ > firly/);
    expect(frame()).toContain('editing your last message');
    expect(frame().split('\n').filter((line) => line.includes('firly'))).toHaveLength(1);
    expect(frame()).toContain('first');
    expect(words(SMALL).test(frame())).toBe(true);
    expect(app.mai.getConversationHistory().map((m) => [m.role, m.text])).toEqual(before);
    await app.mai.shutdown();
    expect((await savedConversation(app)).messages.map((m) => [m.role, m.text])).toEqual(before);
  });
});

describe('search', () => {
  it('Ctrl+F searches the chat: hits counted and highlighted, n/N move between them, Esc leaves', async () => {
    const app = await startApp(['demo-small'], turns(30, (n) => (n === 2 || n === 20 ? `the needle is here, turn ${n}` : `answer ${n}`)));
    const {stdin, frame, lastFrame} = app;
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await press(stdin, '\u0006');
    await type(stdin, 'needle');
    // The newest hit first, and the chat scrolled to it.
    expect(statusRow(frame())).toMatch(/search: needle\s+2\/2/);
    expect(frame()).toContain('turn 20');
    // Highlighted: the hit the user is on in inverse video, the others on yellow.
    expect(lastFrame()).toMatch(/\u001b\[7mneedle\u001b\[27m is here, turn 20/);
    await press(stdin, KEYS.enter);
    // Now n and N move between hits; they are not typed into the message.
    await press(stdin, 'n');
    expect(statusRow(frame())).toMatch(/needle\s+1\/2/);
    expect(frame()).toContain('turn 2');
    expect(frame()).toMatch(/↓ \d+ newer lines/);
    expect(lastFrame()).toMatch(/\u001b\[7mneedle\u001b\[27m is here, turn 2\b/);
    await press(stdin, 'N');
    expect(statusRow(frame())).toMatch(/needle\s+2\/2/);
    expect(composerRow(frame())).toMatch(/^│ > \s/);
    await press(stdin, KEYS.escape);
    expect(statusRow(frame())).toMatch(/model mai-demo-small/);
    await type(stdin, 'n');
    expect(composerRow(frame())).toMatch(/^│ > n/);
  });

  it('says "no match" when nothing matches', async () => {
    const {stdin, frame} = await startApp(['demo-small'], turns(2));
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await press(stdin, '\u0006');
    await type(stdin, 'zebra');
    expect(statusRow(frame())).toMatch(/search: zebra\s+no match/);
  });
});

describe('copy', () => {
  const REPLY = 'Here:\n```sh\nls -l\n```\nand \u001b]52;c;ZXZpbA==\u0007 then\n```js\nconsole.log(1)\n```';
  it('Ctrl+Y copies the last reply and Alt+2 its second code block with OSC 52; model text never writes one', async () => {
    const events: ConversationEvent[] = [
      {type: 'message', id: 'u0', role: 'user', text: 'show me', at: AT},
      {type: 'started', id: 'a0', model: 'mai-demo-small', at: AT},
      {type: 'completed', id: 'a0', model: 'mai-demo-small', text: REPLY, at: AT, interrupted: false},
    ];
    const {stdin, stdout, frame} = await startApp(['demo-small'], events);
    await waitFor(() => frame().includes('● mai-demo-small') && frame().includes('ls -l'), LOAD);
    const oscWrites = () => stdout.frames.filter((written) => written.includes('\u001b]52'));
    // The reply's own OSC 52 was drawn sanitized: nothing reached the terminal's clipboard.
    expect(oscWrites()).toEqual([]);

    await press(stdin, '\u0019');
    expect(oscWrites()).toEqual([osc52(REPLY)]);
    expect(statusRow(frame())).toContain(`copied ${Buffer.byteLength(REPLY)} B (the last reply)`);
    await press(stdin, '\u001b2');
    expect(oscWrites().at(-1)).toBe(osc52('console.log(1)'));
    expect(oscWrites().at(-1)).toBe('\u001b]52;c;Y29uc29sZS5sb2coMSk=\u0007');
    expect(statusRow(frame())).toContain('copied 14 B (code block 2 of 2)');
    await press(stdin, '\u001b3');
    expect(statusRow(frame())).toContain('the last reply has 2 code blocks');
    expect(oscWrites()).toHaveLength(2);
  });
});

describe('compose in $EDITOR', () => {
  it('Ctrl+X Ctrl+E runs $EDITOR on a private file holding the message and puts the result in the composer', async () => {
    const {stdin, frame, sandbox} = await startApp(['demo-small']);
    const editor = path.join(sandbox.home, 'editor.sh');
    // An "editor" that appends to what it was given and the file's mode.
    await writeFile(editor, '#!/bin/sh\nprintf "%s and more (%s)\\n" "$(cat "$1")" "$(stat -c %a "$1")" > "$1.new" && cat "$1.new" > "$1"\n');
    await chmod(editor, 0o755);
    delete process.env.VISUAL;
    process.env.EDITOR = editor;
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await type(stdin, 'draft');
    await press(stdin, '\u0018', '\u0005');
    expect(composerRow(frame())).toMatch(/^│ > draft and more \(600\)/);
    await press(stdin, KEYS.enter);
    await waitFor(() => words(SMALL).test(frame()), LOAD);
    expect(frame()).toContain('draft and more (600)');
  });

  it('an editor that fails leaves the message as it was and says why', async () => {
    const {stdin, frame} = await startApp(['demo-small']);
    delete process.env.VISUAL;
    process.env.EDITOR = 'false';
    await waitFor(() => frame().includes('● mai-demo-small'), LOAD);
    await type(stdin, 'kept');
    await press(stdin, '\u0018', '\u0005');
    expect(composerRow(frame())).toMatch(/^│ > kept/);
    expect(statusRow(frame())).toContain('false exited with 1; the message is unchanged');
  });
});

describe('thinking', () => {
  it("folds a reasoning model's <think> block to one line; Ctrl+K shows and folds it again", async () => {
    const events: ConversationEvent[] = [
      {type: 'message', id: 'u0', role: 'user', text: 'why?', at: AT},
      {type: 'started', id: 'a0', model: 'mai-demo-small', at: AT},
      {type: 'completed', id: 'a0', model: 'mai-demo-small', text: '<think>\nstep one\nstep two\nstep three\n</think>\nBecause.', at: AT, interrupted: false},
    ];
    const {stdin, frame} = await startApp(['demo-small'], events);
    await waitFor(() => frame().includes('● mai-demo-small') && frame().includes('Because.'), LOAD);
    expect(frame()).toContain('▸ thought (3 lines, Ctrl+K to show)');
    expect(frame()).not.toContain('step two');
    expect(frame()).not.toContain('<think>');
    await press(stdin, '\u000b');
    expect(frame()).toContain('▾ thought (3 lines, Ctrl+K to fold)');
    expect(frame()).toMatch(/step one[\s\S]*step two[\s\S]*step three[\s\S]*Because\./);
    await press(stdin, '\u000b');
    expect(frame()).not.toContain('step two');
  });
});

describe('typing while a model loads', () => {
  it('a message sent before the model is ready is shown queued, then answered', async () => {
    const {stdin, stdout, frame} = await startApp(['demo-large']);
    await type(stdin, 'early');
    await press(stdin, KEYS.enter);
    await type(stdin, 'next one');
    await waitFor(() => words(TEST_MODELS['demo-large'].message).test(frame()), LOAD);
    expect(stdout.frames.some((written) => written.includes('⋯ queued: sent when'))).toBe(true);
    expect(frame()).toContain('early');
    expect(frame()).not.toContain('queued');
    // What was typed meanwhile is still in the composer.
    expect(composerRow(frame())).toMatch(/^│ > next one/);
  });

  it('Esc stops a queued message: it stays in the chat unanswered, and the status bar claims no speed and no empty chat', async () => {
    const {mai, stdin, frame} = await startApp(['demo-large']);
    await type(stdin, 'early');
    await press(stdin, KEYS.enter);
    await waitFor(() => frame().includes('⋯ queued: sent when'), LOAD);
    await press(stdin, KEYS.escape);
    await waitFor(() => mai.store.getState().models.currentKey === 'mai-demo-large' && !mai.store.getState().chat.busy, {what: 'the load to end', ...LOAD});
    await waitFor(() => !frame().includes('queued') && !frame().includes('reply in progress'), LOAD);
    const statusBar = frame().split('\n').at(-1) ?? '';
    expect(frame()).toContain('early');
    expect(frame()).not.toMatch(words(TEST_MODELS['demo-large'].message));
    expect(statusBar).toContain('model mai-demo-large · … tok/s');
    expect(statusBar).not.toContain('ready for a first message');
  });
});

describe('scrolling with the wheel and Home/End', () => {
  it('the wheel scrolls three lines a notch; Home and End in an empty message jump to the first and last message', async () => {
    const {stdin, frame} = await startApp(['demo-small'], turns(30));
    await waitFor(() => frame().includes('● mai-demo-small') && frame().includes('answer 29'), LOAD);
    await press(stdin, '\u001b[<64;10;10M');
    expect(frame()).toContain('↓ 3 newer lines');
    await press(stdin, '\u001b[<64;10;10M\u001b[<64;10;10M');
    expect(frame()).toContain('↓ 9 newer lines');
    await press(stdin, '\u001b[<65;10;10M');
    expect(frame()).toContain('↓ 6 newer lines');

    await press(stdin, KEYS.home);
    expect(frame()).toContain('question 0');
    expect(frame()).not.toContain('answer 29');
    await press(stdin, KEYS.end);
    expect(frame()).toContain('answer 29');
    expect(frame()).not.toContain('newer lines');

    // In a message being written, Home and End move in the line, as before.
    await type(stdin, 'ab');
    await press(stdin, KEYS.home);
    await type(stdin, 'X');
    expect(composerRow(frame())).toMatch(/^│ > Xab/);
    expect(frame()).not.toContain('newer lines');
  });
});
