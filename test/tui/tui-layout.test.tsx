import {afterEach, describe, expect, it} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import type {ProfilerOnRenderCallback} from 'react';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import {App} from '../../components/App.js';
import type {MaiCommands} from '../../src/commands.js';
import {createMaiStore, emptyHostResources, LOCAL_HOST, type MaiStore} from '../../src/store.js';
import {KEYS, press, resize, settle, type, type Size} from '../support/ink-keys.js';
import {modelEntry} from '../support/model-entries.js';

// The frame at every size: all of the terminal's rows, the narrow layout under 100 columns (the
// right column folded into one line, F2 to see it), "too small" under 60×20, and what a keystroke
// re-renders in a long conversation.

const GiB = 1024 ** 3;

const commands: MaiCommands = {send: () => {}, stop: () => {}, cycleModel: () => {}, quit: () => {}, toggleAutoSwitch: () => {}, pickModel: () => {}, listConversations: () => Promise.resolve([]), resumeConversation: () => {}};

function filledStore(messages = 2): MaiStore {
  const store = createMaiStore(() => 10);
  const s = store.getState();
  s.setModelEntries([modelEntry('qwen2.5-7b-instruct'), modelEntry('mai-demo-small', {demo: true, tier: 'small', sizeBytes: 40e6})]);
  s.setCurrentModel('qwen2.5-7b-instruct', {from: null, to: 'qwen2.5-7b-instruct', reason: 'start', at: 5});
  s.setHostResources(LOCAL_HOST, {
    ...emptyHostResources(),
    cpu: {totalPct: 37, perCorePct: [37]},
    memory: {totalBytes: 24 * GiB, availableBytes: 12 * GiB, usedBytes: 12 * GiB, swapTotalBytes: 0, swapUsedBytes: 0},
    gpus: [],
    pressure: {cpu: 'ok', ram: 'elevated', vram: 'ok', gpus: []},
  });
  for (let i = 0; i < messages; i++) {
    s.addMessage(
      i % 2 === 0
        ? {id: `m${i}`, role: 'user', text: `question number ${i}`, at: i}
        : {id: `m${i}`, role: 'assistant', model: 'qwen2.5-7b-instruct', text: `answer number ${i}\nwith a second line`, at: i},
    );
  }
  return store;
}

async function renderApp(store: MaiStore, size: Size, onRegionRender?: ProfilerOnRenderCallback) {
  const instance = render(<App store={store} commands={commands} {...(onRegionRender ? {onRegionRender} : {})} />);
  resize(instance.stdout, size);
  await settle();
  const frame = () => stripAnsi(instance.lastFrame() ?? '');
  return {...instance, frame, lines: () => frame().split('\n')};
}

afterEach(() => {
  cleanup();
});

describe('every row', () => {
  it.each([
    {columns: 60, rows: 20},
    {columns: 90, rows: 30},
    {columns: 120, rows: 40},
    {columns: 200, rows: 60},
  ])('a $columns×$rows terminal gets a frame of $rows rows, its last the status bar', async (size) => {
    const {lines} = await renderApp(filledStore(), size);
    expect(lines()).toHaveLength(size.rows);
    expect(stringWidth(lines()[0] ?? '')).toBe(size.columns);
    expect(lines().at(-1)).toMatch(/^ model qwen2\.5-7b-instruct/);
    // The composer's bottom border sits right above it: no row is left over below the frame.
    expect(lines().at(-2)).toMatch(/^└─+┘$/);
  });
});

describe('the narrow layout (under 100 columns)', () => {
  it('folds resources and models into one summary line under the chat', async () => {
    const {frame, lines} = await renderApp(filledStore(), {columns: 90, rows: 30});
    expect(lines()[0]).toMatch(/^┌ chat ─+┐$/);
    expect(frame()).not.toContain('┌ resources');
    expect(frame()).not.toContain('┌ models');
    const summary = lines().at(-5);
    expect(summary).toContain('model qwen2.5-7b-instruct · CPU 37% · RAM 12.0/24.0G · pressure elevated · F2 panels');
    expect(frame()).toContain('answer number 1');
  });

  it('at 100 columns keeps the right column and has no summary line', async () => {
    const {frame, lines} = await renderApp(filledStore(), {columns: 100, rows: 30});
    expect(lines()[0]).toMatch(/^┌ chat ─+┐┌ resources ─+┐$/);
    expect(frame()).not.toContain('F2 panels');
  });

  it('F2 shows the resources and models over the chat; typing still reaches the message; Esc goes back', async () => {
    const {stdin, frame} = await renderApp(filledStore(), {columns: 90, rows: 30});
    await press(stdin, KEYS.f2);
    expect(frame()).toMatch(/┌ resources ─+┐/);
    expect(frame()).toMatch(/┌ models ─+┐/);
    expect(frame()).toContain('● qwen2.5-7b-instruct');
    expect(frame()).toMatch(/CPU .*37%/);
    expect(frame()).not.toContain('┌ chat');
    expect(frame()).toContain('· F2 chat');
    await type(stdin, 'still typing');
    expect(frame()).toContain('> still typing');
    await press(stdin, KEYS.escape);
    expect(frame()).toContain('┌ chat');
    expect(frame()).not.toContain('┌ resources');
    await press(stdin, KEYS.f2, KEYS.f2);
    expect(frame()).toContain('┌ chat');
  });

  it('widening the terminal leaves the overlay for the normal right column', async () => {
    const {stdin, stdout, frame, lines} = await renderApp(filledStore(), {columns: 90, rows: 30});
    await press(stdin, KEYS.f2);
    expect(frame()).not.toContain('┌ chat');
    resize(stdout, {columns: 120, rows: 30});
    await settle();
    expect(lines()[0]).toMatch(/^┌ chat ─+┐┌ resources ─+┐$/);
  });
});

describe('a terminal too small', () => {
  it('under 60×20 says so instead of drawing a broken frame, and recovers on resize', async () => {
    const {stdout, frame, lines} = await renderApp(filledStore(), {columns: 50, rows: 15});
    expect(frame()).toContain('terminal too small');
    expect(frame()).toContain('50×15: mai needs 60×20');
    expect(frame()).not.toContain('┌ chat');
    expect(lines().length).toBeLessThanOrEqual(15);
    for (const line of lines()) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    resize(stdout, {columns: 100, rows: 30});
    await settle();
    expect(frame()).not.toContain('too small');
    expect(lines()[0]).toMatch(/^┌ chat ─+┐┌ resources ─+┐$/);
    expect(lines()).toHaveLength(30);
  });

  it.each([
    {columns: 59, rows: 40},
    {columns: 160, rows: 19},
  ])('$columns×$rows is too small too', async (size) => {
    const {frame} = await renderApp(filledStore(), size);
    expect(frame()).toContain('terminal too small');
  });
});

describe('a keystroke in a long conversation', () => {
  it('re-renders the composer and not the chat pane, at 5,000 messages as at 2', async () => {
    for (const messages of [2, 5000]) {
      const renders: string[] = [];
      const {stdin, frame} = await renderApp(filledStore(messages), {columns: 120, rows: 40}, (id) => void renders.push(id));
      expect(frame()).toContain(`answer number ${messages - 1}`);
      renders.length = 0;
      await type(stdin, 'abc');
      expect(frame()).toContain('> abc');
      expect(renders.filter((id) => id === 'composer').length).toBeGreaterThanOrEqual(3);
      expect(renders).not.toContain('chat');
      cleanup();
    }
  });
});
