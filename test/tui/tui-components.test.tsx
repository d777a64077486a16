import {afterEach, describe, expect, it, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import {App} from '../../components/App.js';
import {CLEAR_SCREEN} from '../../components/useGlobalKeys.js';
import {PASTE_START} from '../../components/input/parse-keys.js';
import {QUIT_CONFIRM_MS} from '../../components/useQuitConfirm.js';
import {HELP_SECTIONS, KEY_BINDINGS} from '../../components/keys.js';
import type {MaiCommands} from '../../src/commands.js';
import {createMaiStore, emptyHostResources, LOCAL_HOST, type MaiStore} from '../../src/store.js';
import {KEYS, press, resize, settle, type, type Size} from '../support/ink-keys.js';
import {modelEntry} from '../support/model-entries.js';

// The real TUI on the real store, filled through its actions. `commands` is the UI's boundary: a
// plain object that records what the keys dispatched (Mai's side is tested elsewhere).

const GiB = 1024 ** 3;
const ESC = '\u001b';

type Call = {readonly command: keyof MaiCommands; readonly args: readonly unknown[]};

function recordingCommands(): {readonly commands: MaiCommands; readonly calls: Call[]} {
  const calls: Call[] = [];
  const commands: MaiCommands = {
    send: (text) => void calls.push({command: 'send', args: [text]}),
    stop: () => void calls.push({command: 'stop', args: []}),
    cycleModel: (direction) => void calls.push({command: 'cycleModel', args: [direction]}),
    quit: () => void calls.push({command: 'quit', args: []}),
    toggleAutoSwitch: () => void calls.push({command: 'toggleAutoSwitch', args: []}),
    pickModel: (key) => void calls.push({command: 'pickModel', args: [key]}),
    listConversations: () => Promise.resolve([]),
    resumeConversation: (id) => void calls.push({command: 'resumeConversation', args: [id]}),
  };
  return {commands, calls};
}

const HOSTILE_KEY = `evil${ESC}]0;pwned${'\u0007'}-model${ESC}[2J\u202e`;

function filledStore(): MaiStore {
  const store = createMaiStore(() => 10);
  const s = store.getState();
  s.setModelEntries([
    modelEntry('qwen2.5-7b-instruct'),
    modelEntry('mai-demo-small', {demo: true, tier: 'small', sizeBytes: 40e6}),
    modelEntry(HOSTILE_KEY, {tier: 'medium', sizeBytes: 2e9, fits: false}),
    modelEntry('broken-model', {tier: 'small', sizeBytes: 1e9, unusable: 'corrupt file'}),
  ]);
  s.setModelStatus('mai-demo-small', {state: 'loading', progress: 0.37});
  s.setCurrentModel('qwen2.5-7b-instruct', {from: 'mai-demo-small', to: 'qwen2.5-7b-instruct', reason: 'RAM critical', at: 5});
  s.setTokensPerSecond(23.4);
  s.setHostResources(LOCAL_HOST, {
    ...emptyHostResources(),
    cpu: {totalPct: 37, perCorePct: [37]},
    memory: {totalBytes: 24 * GiB, availableBytes: 12 * GiB, usedBytes: 12 * GiB, swapTotalBytes: 0, swapUsedBytes: 0},
    gpus: [],
    cpuHistory: [5, 20, 40, 60, 80, 100, 37],
    ramHistory: [40, 45, 50],
  });
  s.addMessage({id: 'm1', role: 'user', text: 'What is a mutex?', at: 1});
  s.addMessage({
    id: 'm2',
    role: 'assistant',
    model: 'qwen2.5-7b-instruct',
    text: 'A mutex lets one thread at a time into a critical section.',
    at: 2,
  });
  return store;
}


async function renderApp(store: MaiStore, commands: MaiCommands, size: Size = {columns: 100, rows: 30}, ascii = false) {
  const instance = render(<App store={store} commands={commands} ascii={ascii} />);
  resize(instance.stdout, size);
  await settle();
  const frame = () => stripAnsi(instance.lastFrame() ?? '');
  return {...instance, frame, lines: () => frame().split('\n')};
}

/** Lets Ink parse a key and React render, without a setTimeout (for a test on fake timers). */
async function renders(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Applies store updates and lets Ink render them. */
async function update(change: () => void): Promise<void> {
  change();
  await settle();
}

afterEach(() => {
  cleanup();
});

describe('the frame', () => {
  it.each([60, 100, 160])('fills %i columns and every row of the terminal', async (columns) => {
    const {lines} = await renderApp(filledStore(), recordingCommands().commands, {columns, rows: 24});
    expect(lines()).toHaveLength(24);
    // Ink drops trailing spaces, so only the bordered lines reach the last column.
    for (const line of lines()) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
    expect(stringWidth(lines()[0] ?? '')).toBe(columns);
    expect(stringWidth(lines().at(-2) ?? '')).toBe(columns);
  });

  it.each([100, 160])('at %i columns shows chat, resources, models, composer and status bar', async (columns) => {
    const {frame, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns, rows: 24});
    expect(lines()[0]).toMatch(/^┌ chat ─+┐┌ resources ─+┐$/);
    expect(frame()).toMatch(/┌ models ─+┐/);
    expect(frame()).toContain('CPU');
    expect(frame()).toContain('37%');
    expect(frame()).toContain('12.0/24.0G');
    expect(frame()).toMatch(/VRAM +no GPU/);
    expect(lines().at(-3)).toMatch(/^│ > /);
    expect(lines().at(-1)).toContain('model qwen2.5-7b-instruct · 23 tok/s · switched from mai-demo-small: RAM critical');
  });

  it('at 60 columns hides the right column and keeps chat, composer and status bar', async () => {
    const {frame, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 60, rows: 24});
    expect(lines()[0]).toMatch(/^┌ chat ─+┐$/);
    expect(frame()).not.toContain('resources');
    expect(frame()).not.toContain('models');
    expect(frame()).toContain('What is a mutex?');
    expect(lines().at(-1)).toMatch(/^ model qwen2.5-7b-instruct · 23 tok\/s/);
  });

  it('re-lays out when the terminal is resized', async () => {
    const {stdout, frame, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 30});
    expect(frame()).toContain('resources');
    resize(stdout, {columns: 60, rows: 20});
    await settle();
    expect(lines()).toHaveLength(20);
    expect(frame()).not.toContain('resources');
  });
});

describe('the chat pane', () => {
  it('shows a hint when there are no messages', async () => {
    const {frame} = await renderApp(createMaiStore(), recordingCommands().commands);
    expect(frame()).toContain('No messages yet');
    expect(frame()).toContain('Enter sends');
    expect(frame()).toContain('?, F1 help');
    expect(frame()).toContain('Ctrl+N/Ctrl+P switch model');
  });

  it('shows each message under its role: you, or the model that wrote it', async () => {
    const {lines} = await renderApp(filledStore(), recordingCommands().commands);
    const you = lines().findIndex((l) => /│ you +│/.test(l));
    const reply = lines().findIndex((l) => /│ qwen2\.5-7b-instruct +│/.test(l));
    expect(you).toBeGreaterThan(0);
    expect(lines()[you + 1]).toContain('What is a mutex?');
    expect(reply).toBeGreaterThan(you);
    expect(lines()[reply + 1]).toContain('A mutex lets one thread at a time into a critical section.');
  });

  it('wraps a long message to the pane width without losing a word', async () => {
    const store = filledStore();
    const words = Array.from({length: 40}, (_, i) => `word${i}`);
    store.getState().addMessage({id: 'long', role: 'user', text: words.join(' '), at: 3});
    const {lines} = await renderApp(store, recordingCommands().commands, {columns: 60, rows: 30});
    const text = lines()
      .map((l) => l.slice(2, -2).trim())
      .join(' ');
    expect(text).toContain(words.join(' '));
    const first = lines().findIndex((l) => l.includes('word0 '));
    const last = lines().findIndex((l) => l.includes('word39'));
    expect(last - first).toBeGreaterThanOrEqual(4);
  });

  it('marks interrupted replies', async () => {
    const store = filledStore();
    store.getState().addMessage({id: 'cut', role: 'assistant', model: 'mai-demo-small', text: 'Half a sen', at: 3, interrupted: true});
    const {frame} = await renderApp(store, recordingCommands().commands);
    expect(frame()).toMatch(/mai-demo-small \[interrupted\]/);
  });

  it('shows the streaming reply as it grows, then as a finished message', async () => {
    const store = filledStore();
    const {frame} = await renderApp(store, recordingCommands().commands);
    const s = store.getState();
    await update(() => s.startStreaming({id: 'r1', model: 'mai-demo-small', text: 'Hello'}));
    expect(frame()).toMatch(/mai-demo-small …/);
    expect(frame()).toContain('Hello');
    await update(() => s.setStreamingText('Hello, I am a demo model.\nSecond line of the reply.'));
    expect(frame()).toContain('Hello, I am a demo model.');
    expect(frame()).toContain('Second line of the reply.');
    await update(() =>
      s.finishStreaming({id: 'r1', role: 'assistant', model: 'mai-demo-small', text: 'Hello, I am a demo model. Done.', at: 4}),
    );
    expect(frame()).not.toContain('mai-demo-small …');
    expect(frame()).toContain('Hello, I am a demo model. Done.');
  });

  it('keeps the blank lines of a streaming reply, and its lines in order while it grows', async () => {
    const store = filledStore();
    const {frame} = await renderApp(store, recordingCommands().commands);
    const rowOf = (text: string) => frame().split('\n').findIndex((row) => row.includes(text));
    await update(() => store.getState().startStreaming({id: 'r3', model: 'mai-demo-small', text: 'first paragraph\n\nthird row'}));
    expect(rowOf('third row') - rowOf('first paragraph')).toBe(2);
    await update(() => store.getState().setStreamingText('first paragraph\n\nthird row grows\n\n\nsixth'));
    expect(rowOf('third row grows') - rowOf('first paragraph')).toBe(2);
    expect(rowOf('sixth') - rowOf('third row grows')).toBe(3);
    expect(rowOf('sixth')).toBeGreaterThan(0);
  });

  it('keeps the newest lines of a streaming reply taller than the pane in view', async () => {
    const store = filledStore();
    const {frame} = await renderApp(store, recordingCommands().commands, {columns: 100, rows: 20});
    const text = Array.from({length: 60}, (_, i) => `streamed line ${i}`).join('\n');
    await update(() => store.getState().startStreaming({id: 'r2', model: 'qwen2.5-7b-instruct', text}));
    expect(frame()).toContain('streamed line 59');
    expect(frame()).not.toContain('streamed line 0\n');
    expect(frame()).not.toContain('What is a mutex?');
  });

  it('sanitizes what models write', async () => {
    const store = filledStore();
    store.getState().addMessage({
      id: 'evil',
      role: 'assistant',
      model: HOSTILE_KEY,
      text: `ok${ESC}]52;c;cm0gLXJm${'\u0007'} then${ESC}[2J${ESC}[H fine\rX`,
      at: 3,
    });
    const {lastFrame, frame} = await renderApp(store, recordingCommands().commands);
    const raw = lastFrame() ?? '';
    expect(raw).not.toContain(`${ESC}]`);
    expect(raw).not.toContain(`${ESC}[2J`);
    expect(raw).not.toContain('\u0007');
    expect(raw).not.toContain('\u202e');
    expect(frame()).toContain('ok then fineX');
  });
});

describe('the side column', () => {
  function lineWith(lines: readonly string[], text: string): string {
    const line = lines.find((l) => l.includes(text));
    if (!line) throw new Error(`no line with ${text}:\n${lines.join('\n')}`);
    return line.slice(line.lastIndexOf('│', line.length - 2));
  }

  it('gives each model a line for its full name and one for its facts when there is room', async () => {
    const {lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 40});
    const after = (text: string) => lines()[lines().findIndex((line) => line.includes(text)) + 1] ?? '';
    expect(lineWith(lines(), '● qwen2.5')).toMatch(/● qwen2\.5-7b-instruct +│/);
    expect(after('● qwen2.5')).toMatch(/large · 4\.1G/);
    expect(after('○ mai-demo')).toMatch(/· 38M · demo · 37%/);
    expect(after('○ evil-model')).toMatch(/1\.9G · too big/);
    expect(after('○ broken-model')).toMatch(/954M · ✗ unusable/);
  });

  it('lists the models in catalogue order and marks current, demo, loading, failed and too big', async () => {
    const {stdin, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 20});
    // A composer of five rows leaves the models box one line per model (the smallest terminal's case).
    await press(stdin, 'a', KEYS.ctrlJ, 'b', KEYS.ctrlJ, 'c', KEYS.ctrlJ, 'd', KEYS.ctrlJ, 'e');
    const current = lineWith(lines(), 'qwen2.5-7b-inst');
    expect(current).toMatch(/● qwen2\.5-7b-inst.* large +4\.1G/);
    const demo = lineWith(lines(), 'mai-demo');
    expect(demo).toMatch(/○ mai-demo.*38M demo 37%/);
    expect(lineWith(lines(), 'evil-model')).toMatch(/○ evil-model .*1\.9G ·/);
    expect(lineWith(lines(), 'broken-model')).toMatch(/○ broken-model .*954M ✗/);
    const order = ['qwen2.5', 'mai-demo', 'evil-model', 'broken-model'].map((k) => lines().findIndex((l) => l.includes(k)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows a hostile model key sanitized', async () => {
    const {lastFrame} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 24});
    const raw = lastFrame() ?? '';
    expect(raw).toContain('evil');
    expect(raw).not.toContain(`${ESC}]0;pwned`);
    expect(raw).not.toContain(`${ESC}[2J`);
    expect(raw).not.toContain('\u202e');
  });

  it('shows "…" until the first resource sample', async () => {
    const store = filledStore();
    store.getState().setHostResources(LOCAL_HOST, emptyHostResources());
    const {frame} = await renderApp(store, recordingCommands().commands, {columns: 100, rows: 24});
    expect(frame()).toMatch(/CPU +… /);
    expect(frame()).toMatch(/RAM +… /);
  });

  it('draws sparklines in braille by default and in block characters with ascii', async () => {
    const braille = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 24});
    expect(braille.frame()).toMatch(/CPU .*[⡀-⣿]{2}/);
    expect(braille.frame()).not.toMatch(/[▁▂▃▄▅▆▇]/);
    cleanup();
    const block = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 24}, true);
    expect(block.frame()).toMatch(/CPU .*[▁▂▃▄▅▆▇█]{3}/);
    expect(block.frame()).not.toMatch(/[⡀-⣿]/);
  });
});

describe('the status bar', () => {
  it('shows the newest notice, sanitized and on one line', async () => {
    const store = filledStore();
    const {lines} = await renderApp(store, recordingCommands().commands);
    await update(() => store.getState().notify(`load failed:${ESC}]0;x${'\u0007'} out of\nmemory`, 'error'));
    expect(lines().at(-1)).toContain('23 tok/s · load failed: out of memory');
  });

  it('says how the conversation was fitted into the model\'s context', async () => {
    const store = filledStore();
    const {lines} = await renderApp(store, recordingCommands().commands, {columns: 160, rows: 24});
    const report = {model: 'qwen2.5-7b-instruct', contextLength: 1024, promptTokens: 534, messages: 60, truncated: false};
    await update(() => store.getState().setContextReport({...report, kept: 60, summarized: 0, dropped: 0, summarizing: false}));
    expect(lines().at(-1)).toContain('23 tok/s · ctx 534/1,024 · switched from');
    await update(() => store.getState().setContextReport({...report, kept: 2, summarized: 50, dropped: 8, summarizing: true}));
    expect(lines().at(-1)).toContain('23 tok/s · ctx 534/1,024: 2 kept, 50 summarized, 8 dropped, summarizing… · switched from');
  });

  it('says why a model is unusable when nothing newer is to be said', async () => {
    const store = createMaiStore();
    store.getState().setModelEntries([modelEntry('ok-model'), modelEntry('bad-model', {unusable: 'not a GGUF file'})]);
    const {lines} = await renderApp(store, recordingCommands().commands);
    expect(lines().at(-1)).toContain('model none · … tok/s · bad-model: not a GGUF file');
  });
});

describe('the help overlay', () => {
  it('is generated from the whole key table', () => {
    expect(new Set(HELP_SECTIONS.flatMap((s) => s.ids))).toEqual(new Set(Object.keys(KEY_BINDINGS)));
  });

  it('opens with ?, lists every key of the table, and closes with Esc', async () => {
    const {stdin, frame} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 40});
    await press(stdin, '?');
    expect(frame()).toMatch(/┌ help ─+┐/);
    for (const id of HELP_SECTIONS.flatMap((s) => s.ids)) {
      expect(frame()).toContain(KEY_BINDINGS[id].keys);
      expect(frame()).toContain(KEY_BINDINGS[id].description);
    }
    await press(stdin, KEYS.escape);
    expect(frame()).not.toContain('┌ help');
    expect(frame()).toContain('┌ chat');
  });

  it('opens with F1 and swallows typing while open', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, frame} = await renderApp(filledStore(), commands, {columns: 160, rows: 40});
    await press(stdin, KEYS.f1);
    expect(frame()).toContain('┌ help');
    await press(stdin, 'x', KEYS.enter, KEYS.ctrlN);
    expect(calls).toEqual([]);
    await press(stdin, KEYS.f1);
    expect(frame()).not.toContain('┌ help');
    expect(frame()).not.toMatch(/> x/);
  });

  it('F1 opens it, F2 and the other function keys do not', async () => {
    const {stdin, frame} = await renderApp(filledStore(), recordingCommands().commands, {columns: 160, rows: 40});
    await press(stdin, KEYS.f2, `${ESC}[24~`, `${ESC}[2~`);
    expect(frame()).not.toContain('┌ help');
    expect(frame()).toMatch(/> +│/);
    await press(stdin, `${ESC}[11~`);
    expect(frame()).toContain('┌ help');
  });

  it('in a terminal too short for every key: its title, the keys that fit, and how to scroll and close it', async () => {
    const store = filledStore();
    store.getState().notify('a notice at the end of the list');
    const {stdin, lines} = await renderApp(store, recordingCommands().commands, {columns: 80, rows: 24});
    await press(stdin, KEYS.f1);
    const shown = lines();
    expect(shown[0]).toMatch(/^┌ help ─+┐$/);
    const footer = shown.findIndex((line) => line.includes('close this help'));
    expect(shown[footer]).toMatch(/^│ Esc, \?, F1 close this help · ↑↓ PgUp PgDn scroll · 1–\d+ of \d+ +│$/);
    expect(shown[footer + 1]).toMatch(/^└─+┘$/);
    expect(shown[1]).toMatch(/^│ chat +│$/);
    expect(shown.join('\n')).not.toContain('Recent notices');
  });

  it('scrolls where the terminal is too short: every key and the notices can be reached, and the view stops at the ends', async () => {
    const store = filledStore();
    for (let i = 1; i <= 5; i++) store.getState().notify(`notice number ${i}`);
    const {stdin, lines} = await renderApp(store, recordingCommands().commands, {columns: 80, rows: 24});
    await press(stdin, KEYS.f1);
    const body = () => lines().slice(1, lines().findIndex((line) => line.includes('close this help')));
    const footer = () => lines().find((line) => line.includes('close this help')) ?? '';
    const first = body();
    const seen = new Set(first);
    for (let page = 0; page < 10; page++) {
      await press(stdin, KEYS.pageDown);
      for (const line of body()) seen.add(line);
    }
    const all = [...seen].join('\n');
    for (const id of HELP_SECTIONS.flatMap((s) => s.ids)) expect(all).toContain(KEY_BINDINGS[id].description);
    // At the end: the notices, all five in order, the newest on the last row.
    const end = body();
    expect([...end.join('\n').matchAll(/notice number (\d)/g)].map((match) => Number(match[1]))).toEqual([1, 2, 3, 4, 5]);
    expect(end.at(-1)).toContain('notice number 5');
    const [, last, total] = /–(\d+) of (\d+)/.exec(footer()) ?? [];
    expect(last).toBe(total);
    // ↑ moves one row; Home goes back to the top, and ↑ there stays.
    await press(stdin, KEYS.up);
    expect(body().slice(1)).toEqual(end.slice(0, -1));
    await press(stdin, KEYS.home, KEYS.up);
    expect(body()).toEqual(first);
    expect(footer()).toMatch(/· 1–\d+ of/);
    // Closed and opened again, it starts at the top.
    await press(stdin, KEYS.end, KEYS.escape, KEYS.f1);
    expect(body()).toEqual(first);
  });

  it('after the terminal grows, the first key up moves the view from where it now ends', async () => {
    const {stdin, stdout, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 80, rows: 24});
    await press(stdin, KEYS.f1, KEYS.end);
    const footer = () => lines().find((line) => line.includes('close this help')) ?? '';
    resize(stdout, {columns: 80, rows: 30});
    await settle();
    const [, grownFirst, total] = /· (\d+)–\d+ of (\d+)/.exec(footer()) ?? [];
    expect(Number(grownFirst)).toBeGreaterThan(1);
    await press(stdin, KEYS.up);
    expect(footer()).toContain(`· ${Number(grownFirst) - 1}–${Number(total) - 1} of ${total}`);
  });

  it('shows the last notices whole, where the status bar had to cut the latest', async () => {
    const store = filledStore();
    const {stdin, frame, lines} = await renderApp(store, recordingCommands().commands, {columns: 100, rows: 40});
    const reason = 'its file ends 3.2 MB short of the tensors its header lists, so it was skipped for another model';
    await update(() => {
      store.getState().notify('loaded qwen2.5-7b-instruct');
      store.getState().notify(`broken-model can't be used: ${reason} (the end)`, 'warn');
    });
    expect(lines().at(-1)).toContain("broken-model can't be used");
    expect(lines().at(-1)).not.toContain('(the end)');
    await press(stdin, '?');
    const help = frame();
    expect(help).toContain('Recent notices');
    expect(help).toContain('loaded qwen2.5-7b-instruct');
    // Wrapped over the overlay's lines, every word of it is there, in order.
    const words = help
      .split('\n')
      .map((line) => line.replace(/[│┌┐└┘─]/g, ' '))
      .join(' ')
      .split(/\s+/)
      .join(' ');
    expect(words).toContain(`broken-model can't be used: ${reason} (the end)`);
  });

  it('? in a message that is not empty is just a question mark', async () => {
    const {stdin, frame} = await renderApp(filledStore(), recordingCommands().commands);
    await type(stdin, 'why?');
    expect(frame()).toContain('> why?');
    expect(frame()).not.toContain('┌ help');
  });
});

describe('keys', () => {
  it('typing and Enter sends the text and clears the composer', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(filledStore(), commands);
    await type(stdin, 'hello mai');
    expect(lines().at(-3)).toMatch(/│ > hello mai/);
    await press(stdin, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['hello mai']}]);
    expect(lines().at(-3)).toMatch(/^│ > +│$/);
  });

  it('Enter on a blank message sends nothing', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await press(stdin, KEYS.enter, ' ', ' ', KEYS.enter);
    expect(calls).toEqual([]);
  });

  it('a paste with newlines is inserted, not sent; Enter then sends all of it', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, frame} = await renderApp(filledStore(), commands);
    // Without bracketed-paste markers (a terminal that does not send them).
    await press(stdin, 'first pasted line\rsecond pasted line\r');
    expect(calls).toEqual([]);
    expect(frame()).toContain('> first pasted line');
    expect(frame()).toContain('  second pasted line');
    await press(stdin, KEYS.backspace, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['first pasted line\nsecond pasted line']}]);
  });

  it('a bracketed paste is text, even a line break on its own or a trailing one', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, frame} = await renderApp(filledStore(), commands);
    await press(stdin, '\u001b[200~', 'one line', '\r', 'and more\r', '\u001b[201~');
    expect(calls).toEqual([]);
    expect(frame()).toContain('> one line');
    expect(frame()).toContain('  and more');
    await press(stdin, KEYS.backspace, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['one line\nand more']}]);
  });

  it('text typed ahead with Enter in one read sends it', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await press(stdin, 'quick question\r');
    expect(calls).toEqual([{command: 'send', args: ['quick question']}]);
  });

  it('Alt+Enter and Ctrl+J insert newlines', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, frame} = await renderApp(filledStore(), commands);
    await press(stdin, 'a', KEYS.altEnter, 'b', KEYS.ctrlJ, 'c');
    expect(calls).toEqual([]);
    expect(frame()).toMatch(/> a +│\n│ {3}b +│\n│ {3}c/);
    await press(stdin, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['a\nb\nc']}]);
  });

  it('the composer grows to 5 rows, then scrolls inside', async () => {
    const {stdin, lines} = await renderApp(filledStore(), recordingCommands().commands, {columns: 100, rows: 30});
    for (const n of [1, 2, 3, 4, 5, 6, 7]) await press(stdin, `line ${n}`, KEYS.ctrlJ);
    expect(lines()).toHaveLength(30);
    const composer = lines().slice(-7, -2);
    expect(composer.map((l) => l.replace(/^│ (> | {2})|│$/g, '').trim())).toEqual(['line 4', 'line 5', 'line 6', 'line 7', '']);
  });

  it('edits with the cursor keys', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await type(stdin, 'helo');
    await press(stdin, KEYS.left, 'l', KEYS.home, KEYS.ctrlD, 'H', KEYS.end, '!', KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['Hello!']}]);
  });

  it('does not send while a reply is in progress, and says so', async () => {
    const store = filledStore();
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(store, commands);
    await update(() => store.getState().setBusy(true));
    expect(lines().at(-1)).toContain('reply in progress — Esc stops it');
    await type(stdin, 'wait');
    await press(stdin, KEYS.enter);
    expect(calls).toEqual([]);
    expect(lines().at(-3)).toContain('> wait');
    await update(() => store.getState().setBusy(false));
    await press(stdin, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['wait']}]);
  });

  it('names the key stop is bound to in the busy hint, after a remap in the config', async () => {
    const store = filledStore();
    store.getState().setKeyOverrides({stop: ['f4']});
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(store, commands, {columns: 120, rows: 30});
    await update(() => store.getState().setBusy(true));
    expect(lines().at(-1)).toContain('reply in progress — F4 stops it');
    expect(lines().at(-1)).not.toContain('Esc');
    await press(stdin, KEYS.f4);
    expect(calls).toEqual([{command: 'stop', args: []}]);
  });

  it('Ctrl+N and Ctrl+P cycle the model; Esc stops the reply', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await press(stdin, KEYS.ctrlN, KEYS.ctrlP, KEYS.escape);
    expect(calls).toEqual([
      {command: 'cycleModel', args: [1]},
      {command: 'cycleModel', args: [-1]},
      {command: 'stop', args: []},
    ]);
  });

  it('Ctrl+A toggles automatic switching; the status bar says when mai will not switch by itself', async () => {
    const {commands, calls} = recordingCommands();
    const store = filledStore();
    const {stdin, lines} = await renderApp(store, commands);
    await press(stdin, KEYS.ctrlA);
    expect(calls).toEqual([{command: 'toggleAutoSwitch', args: []}]);
    const statusBar = () => lines().find((line) => line.includes(' model ')) ?? '';
    expect(statusBar()).not.toMatch(/auto off|pinned/);
    await update(() => store.getState().setAutoSwitch(false, null));
    expect(statusBar()).toMatch(/ · auto off/);
    await update(() => store.getState().setAutoSwitch(true, 'mai-demo-small'));
    expect(statusBar()).toMatch(/ · pinned/);
  });

  it("the start's \"ready for a first message\" stands until a message is sent; a later switch's reason stays", async () => {
    const store = createMaiStore();
    store.getState().setCurrentModel('mai-demo-small', {from: null, to: 'mai-demo-small', reason: 'ready for a first message', at: 10, kind: 'start'});
    const {lines} = await renderApp(store, recordingCommands().commands);
    const statusBar = () => lines().at(-1) ?? '';
    expect(statusBar()).toContain('loaded mai-demo-small: ready for a first message');
    await update(() => store.getState().addMessage({id: 'm1', role: 'user', text: 'hi', at: 11}));
    expect(statusBar()).toContain('model mai-demo-small');
    expect(statusBar()).not.toContain('ready for a first message');
    await update(() => store.getState().setCurrentModel('mai-demo-medium', {from: 'mai-demo-small', to: 'mai-demo-medium', reason: 'a harder question', at: 12, kind: 'task'}));
    await update(() => store.getState().addMessage({id: 'm2', role: 'assistant', text: 'hello', at: 13}));
    expect(statusBar()).toContain('switched from mai-demo-small: a harder question');
  });

  it("the start's \"ready for a first message\" stands over a resumed conversation, not over a message sent while the model loaded", async () => {
    const resumed = createMaiStore();
    resumed.getState().addMessage({id: 'r1', role: 'user', text: 'old question', at: 1});
    resumed.getState().addMessage({id: 'r2', role: 'assistant', text: 'old answer', at: 2});
    resumed.getState().setCurrentModel('mai-demo-small', {from: null, to: 'mai-demo-small', reason: 'ready for a first message', at: 10, kind: 'start'});
    const first = await renderApp(resumed, recordingCommands().commands);
    expect(first.lines().at(-1)).toContain('loaded mai-demo-small: ready for a first message');
    first.unmount();
    const queued = createMaiStore();
    queued.getState().addMessage({id: 'q1', role: 'user', text: 'typed at once', at: 5});
    queued.getState().setCurrentModel('mai-demo-small', {from: null, to: 'mai-demo-small', reason: 'ready for a first message', at: 10, kind: 'start'});
    const second = await renderApp(queued, recordingCommands().commands);
    expect(second.lines().at(-1)).toContain('model mai-demo-small');
    expect(second.lines().at(-1)).not.toContain('ready for a first message');
  });

  it('PgUp scrolls up a page so older lines appear; PgDn comes back to the newest', async () => {
    const store = filledStore();
    const s = store.getState();
    for (let i = 0; i < 30; i++) s.addMessage({id: `n${i}`, role: 'user', text: `numbered message ${i}`, at: 10 + i});
    const {stdin, frame} = await renderApp(store, recordingCommands().commands, {columns: 100, rows: 24});
    expect(frame()).toContain('numbered message 29');
    expect(frame()).not.toContain('numbered message 20');
    await press(stdin, KEYS.pageUp);
    expect(frame()).toContain('numbered message 20');
    expect(frame()).not.toContain('numbered message 29');
    expect(frame()).toMatch(/↓ \d+ newer lines · PgDn/);
    await press(stdin, ...Array<string>(20).fill(KEYS.pageUp));
    expect(frame()).toContain('What is a mutex?');
    await press(stdin, ...Array<string>(20).fill(KEYS.pageDown));
    expect(frame()).toContain('numbered message 29');
    expect(frame()).not.toContain('newer lines');
    expect(store.getState().ui.scrollOffset).toBe(0);
  });

  it('sending a message jumps back to the newest lines', async () => {
    const store = filledStore();
    for (let i = 0; i < 30; i++) store.getState().addMessage({id: `n${i}`, role: 'user', text: `message ${i}`, at: 10 + i});
    const {stdin} = await renderApp(store, recordingCommands().commands, {columns: 100, rows: 24});
    await press(stdin, KEYS.pageUp);
    expect(store.getState().ui.scrollOffset).toBeGreaterThan(0);
    await press(stdin, 'x', KEYS.enter);
    expect(store.getState().ui.scrollOffset).toBe(0);
  });

  it('Ctrl+C once asks for a second press (and stops a reply); twice quits', async () => {
    const store = filledStore();
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(store, commands);
    await update(() => store.getState().startStreaming({id: 'r', model: 'qwen2.5-7b-instruct', text: 'Once upon'}));
    await press(stdin, KEYS.ctrlC);
    expect(calls).toEqual([{command: 'stop', args: []}]);
    expect(lines().at(-1)).toContain('press Ctrl+C again to quit');
    await press(stdin, KEYS.ctrlC);
    expect(calls).toEqual([
      {command: 'stop', args: []},
      {command: 'quit', args: []},
    ]);
  });

  it('Ctrl+C in a paste whose end never comes keeps the pasted text and asks for a second press; twice quits', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(filledStore(), commands);
    await press(stdin, `${PASTE_START}half a paste`, ' and more');
    await type(stdin, 'typed meanwhile');
    await press(stdin, KEYS.ctrlC);
    expect(lines().at(-3)).toContain('> half a paste and moretyped meanwhile');
    expect(lines().at(-1)).toContain('press Ctrl+C again to quit');
    await press(stdin, KEYS.ctrlC);
    expect(calls.map((call) => call.command)).toContain('quit');
  });

  it('a single Ctrl+C expires after 2 s', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(filledStore(), commands);
    // Fake timers for the hint's expiry only: Ink and React schedule with setImmediate, which stays
    // real, so the keys and renders below go through as in every other test.
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
    try {
      stdin.write(KEYS.ctrlC);
      await renders();
      expect(lines().at(-1)).toContain('press Ctrl+C again to quit');
      vi.advanceTimersByTime(QUIT_CONFIRM_MS - 1);
      await renders();
      expect(lines().at(-1)).toContain('press Ctrl+C again to quit');
      vi.advanceTimersByTime(1);
      await renders();
      expect(lines().at(-1)).not.toContain('press Ctrl+C again');
    } finally {
      vi.useRealTimers();
    }
    await press(stdin, KEYS.ctrlC);
    expect(calls).toEqual([]);
    expect(lines().at(-1)).toContain('press Ctrl+C again to quit');
  });

  it('every key of a read counts: 100 Ctrl+N in one write are 100 model switches', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await press(stdin, KEYS.ctrlN.repeat(100));
    expect(calls).toEqual(Array<Call>(100).fill({command: 'cycleModel', args: [1]}));
    await press(stdin, `${KEYS.ctrlP}${KEYS.ctrlN}${KEYS.ctrlP}`);
    expect(calls.slice(100).map((c) => c.args[0])).toEqual([-1, 1, -1]);
  });

  it('keys and text in one read are each handled, in order', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await press(stdin, `helo${KEYS.left}l${KEYS.home}${KEYS.delete}H${KEYS.end}!${KEYS.ctrlN}${KEYS.enter}`);
    expect(calls).toEqual([
      {command: 'cycleModel', args: [1]},
      {command: 'send', args: ['Hello!']},
    ]);
  });

  it('an escape sequence cut between two reads is one key', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, lines} = await renderApp(filledStore(), commands);
    await type(stdin, 'ab');
    // Ink hands the lone ESC over at its next setImmediate; the rest comes in a later read.
    stdin.write(ESC);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await press(stdin, '[D', 'X');
    expect(lines().at(-3)).toMatch(/│ > aXb/);
    expect(calls).toEqual([]);
  });

  it('Delete removes the character after the cursor, Backspace the one before', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await type(stdin, 'abcd');
    await press(stdin, KEYS.left, KEYS.left, KEYS.delete, KEYS.backspace, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['ad']}]);
  });

  it('Home and End move within the line, in their xterm, VT220 and rxvt forms', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin} = await renderApp(filledStore(), commands);
    await type(stdin, 'one');
    await press(stdin, KEYS.ctrlJ);
    await type(stdin, 'two');
    await press(stdin, KEYS.home, '<', `${ESC}[4~`, '>', KEYS.up, `${ESC}[1~`, '[', `${ESC}[8~`, ']', KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: ['[one]\n<two>']}]);
  });

  it('a 1 MB paste is a collapsed block: the next key shows at once, Enter sends all of it', async () => {
    const {commands, calls} = recordingCommands();
    const {stdin, lines, frame} = await renderApp(filledStore(), commands);
    const pasted = Array.from({length: 16_000}, (_, i) => `${`pasted line ${i} `.padEnd(63, '.')}\n`).join('');
    // As a tty delivers it: the markers and 64 KiB reads.
    const reads = [`${ESC}[200~`];
    for (let i = 0; i < pasted.length; i += 65_536) reads.push(pasted.slice(i, i + 65_536));
    await press(stdin, ...reads, `${ESC}[201~`, 'x');
    expect(lines().at(-3)).toMatch(/│ > \[pasted 1\.0 MB, 16,000 lines\]x +│/);
    // Expanded, the paste's last lines show above the cursor's row; collapsed again, its label.
    await press(stdin, KEYS.ctrlT);
    expect(lines().slice(-7, -2)).toEqual([
      expect.stringMatching(/^│ {3}pasted line 15996 \.+ +│$/),
      expect.stringMatching(/^│ {3}pasted line 15997 \.+ +│$/),
      expect.stringMatching(/^│ {3}pasted line 15998 \.+ +│$/),
      expect.stringMatching(/^│ {3}pasted line 15999 \.+ +│$/),
      expect.stringMatching(/^│ {3}x +│$/),
    ]);
    await press(stdin, KEYS.home, KEYS.ctrlT);
    expect(lines().at(-3)).toMatch(/│ > \[pasted 1\.0 MB, 16,000 lines\]x +│/);
    expect(frame()).not.toContain('pasted line');
    await press(stdin, KEYS.end);
    await press(stdin, KEYS.enter);
    expect(calls).toEqual([{command: 'send', args: [`${pasted}x`]}]);
  });

  it('Ctrl+L clears the screen through Ink, which then repaints its last frame', async () => {
    // Ink's debug mode (ink-testing-library) writes only the data here; outside it, Ink erases its
    // frame, writes the data and writes the whole frame again (ink.js writeToStdout).
    const {stdin, stdout, frame} = await renderApp(filledStore(), recordingCommands().commands);
    const before = frame();
    await press(stdin, KEYS.ctrlL);
    expect(stdout.frames.some((f) => f.startsWith(CLEAR_SCREEN))).toBe(true);
    await press(stdin, 'x', KEYS.backspace);
    expect(frame()).toBe(before);
  });
});
