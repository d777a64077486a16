import {cleanup, render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {afterEach, describe, expect, it} from 'vitest';
import {App} from '../../components/App.js';
import {backendLine, sourceLabel} from '../../components/backend-line.js';
import type {MaiCommands} from '../../src/commands.js';
import {createMaiStore, type BackendStatus, type MaiStore, type ModelEntry} from '../../src/store.js';
import {KEYS, press, resize, settle, type Size} from '../support/ink-keys.js';
import {modelEntry} from '../support/model-entries.js';

// The models box with LM Studio: where each model runs, and how LM Studio is doing.

const ESC = '\u001b';
const noCommands: MaiCommands = {
  send() {},
  stop() {},
  cycleModel() {},
  quit() {},
  toggleAutoSwitch() {},
  pickModel() {},
  listConversations: () => Promise.resolve([]),
  resumeConversation() {},
};

/** A model served by `kinds` (the first is where it runs). */
function entry(key: string, kinds: readonly ('lmstudio' | 'embedded')[], fields: Partial<ModelEntry> = {}): ModelEntry {
  return modelEntry(key, {backendId: kinds[0] ?? 'embedded', sources: kinds.map((kind) => ({backendId: kind, kind, key})), ...fields});
}

function lmStudio(fields: Partial<BackendStatus> = {}): BackendStatus {
  return {id: 'lmstudio', kind: 'lmstudio', state: 'connected', url: 'ws://127.0.0.1:1234', version: '0.3.99', detail: null, ...fields};
}

function storeWith(backend: BackendStatus | null): MaiStore {
  const store = createMaiStore(() => 10);
  const s = store.getState();
  s.setModelEntries([
    entry('qwen2.5-7b-instruct', ['lmstudio']),
    entry('Llama-3.2-3B-Instruct-Q4_K_M', ['lmstudio', 'embedded'], {tier: 'small', sizeBytes: 2e9}),
    entry('mai-demo-small', ['embedded'], {demo: true, tier: 'small', sizeBytes: 5e6}),
  ]);
  s.setCurrentModel('qwen2.5-7b-instruct');
  if (backend) s.setBackendStatus(backend);
  return store;
}

async function renderApp(store: MaiStore, size: Size) {
  const instance = render(<App store={store} commands={noCommands} />);
  resize(instance.stdout, size);
  await settle();
  const frame = () => stripAnsi(instance.lastFrame() ?? '');
  return {...instance, frame, lines: () => frame().split('\n')};
}

/** The text inside the models box on the line that contains `text`. */
function sideLine(lines: readonly string[], text: string): string {
  const line = lines.find((l) => l.includes(text));
  if (!line) throw new Error(`no line with ${text}:\n${lines.join('\n')}`);
  return line.slice(line.lastIndexOf('│', line.length - 2));
}

afterEach(() => cleanup());

describe('the models box with LM Studio', () => {
  it('says which models LM Studio runs, and that LM Studio is connected', async () => {
    const {lines} = await renderApp(storeWith(lmStudio()), {columns: 160, rows: 40});
    const after = (text: string) => lines()[lines().findIndex((line) => line.includes(text)) + 1] ?? '';
    expect(after('● qwen2.5-7b-instruct')).toMatch(/large · 4\.1G · LM Studio +│/);
    expect(after('○ Llama-3.2-3B')).toMatch(/small · 1\.9G · LM Studio +│/);
    expect(after('○ mai-demo-small')).toMatch(/small · 4\.8M · demo +│/);
    expect(sideLine(lines(), 'LM Studio 0.3.99')).toMatch(/│ ● LM Studio 0\.3\.99 +│/);
  });

  it('marks models run by LM Studio with "lms" when each has one line', async () => {
    const {stdin, lines} = await renderApp(storeWith(lmStudio()), {columns: 160, rows: 20});
    // A composer of four rows leaves the models box one line per model (the smallest terminal's case).
    await press(stdin, 'a', KEYS.ctrlJ, 'b', KEYS.ctrlJ, 'c', KEYS.ctrlJ, 'd');
    expect(sideLine(lines(), 'qwen2.5')).toMatch(/● qwen2\.5.* large +4\.1G lms/);
    expect(sideLine(lines(), 'mai-demo')).toMatch(/○ mai-demo.*4\.8M demo/);
    expect(sideLine(lines(), 'mai-demo')).not.toContain('lms');
  });

  it.each([
    [lmStudio({state: 'not-running', version: null}), '○ LM Studio: not running'],
    [lmStudio({state: 'reconnecting'}), '◌ LM Studio: reconnecting…'],
    [lmStudio({state: 'checking', version: null}), '◌ LM Studio: checking…'],
    [lmStudio({state: 'error', detail: `no answer${ESC}[2J in 15000 ms`}), '✗ LM Studio: not answering'],
  ])('shows LM Studio %#: "%s"', async (status, text) => {
    const {lines, lastFrame} = await renderApp(storeWith(status), {columns: 160, rows: 40});
    expect(sideLine(lines(), text.slice(2))).toContain(text);
    expect(lastFrame()).not.toContain(`${ESC}[2J`);
  });

  it('looks as before when no backend runs elsewhere', async () => {
    const {lines, frame} = await renderApp(storeWith(null), {columns: 160, rows: 40});
    const after = (text: string) => lines()[lines().findIndex((line) => line.includes(text)) + 1] ?? '';
    expect(after('● qwen2.5-7b-instruct')).toMatch(/large · 4\.1G +│/);
    expect(frame()).not.toContain('LM Studio');
  });
});

describe('source labels', () => {
  it.each([
    [undefined, 'embedded'],
    [[{backendId: 'lmstudio', kind: 'lmstudio', key: 'a'}], 'LM Studio'],
    [
      [
        {backendId: 'embedded', kind: 'embedded', key: 'a'},
        {backendId: 'lmstudio', kind: 'lmstudio', key: 'b'},
      ],
      'embedded + LM Studio',
    ],
  ] as const)('%j is "%s"', (sources, label) => {
    expect(sourceLabel(sources)).toBe(label);
  });

  it('names the version only when LM Studio gave one', () => {
    expect(backendLine(lmStudio({version: null})).text).toBe('LM Studio');
  });
});
