import {execFileSync} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {Mai} from '../../src/mai.js';
import {TEST_MODELS, type TestModelKey} from '../support/models.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// mai switching by itself, on the real engine with forged models: by the task, when a model
// struggles (too slow, repeating itself), and how fast a preloaded switch is. Under a real memory
// hog: the R3 drill (test/drills/slow/r3-memory-hog.test.ts, `npm run drills`).

const COMPLEX =
  'Explain step by step why merge sort runs in O(n log n) time, prove the recurrence, and compare it with quicksort:\n```ts\nfunction sort(a: number[]) { return a; }\n```';

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;

afterEach(async () => {
  await mai?.shutdown();
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

/** A Mai over `models` with `policy` (YAML lines under `policy:`) in its config file. */
async function start(models: readonly TestModelKey[], policy: string, options: {keepSpareEngine?: boolean} = {}): Promise<Mai> {
  sandbox = await createSandbox(models);
  const configPath = path.join(sandbox.home, 'mai.yaml');
  await writeFile(configPath, `policy:\n${policy}\n`);
  mai = await Mai.create({env: sandbox.env, configPath, forgeDemoModels: false, ...options});
  return mai;
}

/** Events of one kind in mai's event log. */
async function loggedEvents(mai: Mai, event: string): Promise<Record<string, unknown>[]> {
  const lines = (await readFile(mai.paths.logFile, 'utf8')).trim().split('\n');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === event);
}

describe('mai switching by itself', () => {
  it('answers a simple message with the fastest tier and a complex one with the largest that fits', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'demo-large'], '  preload: false');
    const simple = await mai.processMessage('hi there');
    expect(simple.model).toBe('mai-demo-small');
    const complex = await mai.processMessage(COMPLEX);
    expect(complex.model).toBe('mai-demo-large');
    expect(complex.text).toBe(TEST_MODELS['demo-large'].message);
    expect(complex.switches).toEqual([expect.objectContaining({from: 'mai-demo-small', to: 'mai-demo-large', kind: 'task', reason: expect.stringMatching(/asks for large/)})]);
    // The conversation stays up for a few turns: a simple follow-up does not flip back down.
    const followUp = await mai.processMessage('thanks');
    expect(followUp.model).toBe('mai-demo-large');
    expect(mai.getConversationHistory().map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    // The chat shows a divider naming the switch and why above the reply it was made for.
    expect(mai.store.getState().chat.messages[3]?.switchedBefore).toMatch(/^mai-demo-small → mai-demo-large: the message asks for large/);
  });

  it('goes on with the model of a resumed conversation, where a fresh one would start smaller', async () => {
    const first = await start(['demo-small', 'demo-large'], '  preload: false');
    expect((await first.processMessage(COMPLEX)).model).toBe('mai-demo-large');
    const id = first.conversationId ?? '';
    await first.shutdown();
    mai = await Mai.create({env: sandbox?.env ?? {}, configPath: path.join(sandbox?.home ?? '', 'mai.yaml'), forgeDemoModels: false, resume: id});
    const reply = await mai.processMessage('thanks');
    expect(reply.model).toBe('mai-demo-large');
    expect(mai.getConversationHistory()).toHaveLength(4);
  });

  it('never switches by itself with automatic switching off, and a manual switch still works', async () => {
    const mai = await start(['demo-small', 'demo-large'], '  preload: false');
    mai.toggleAutoSwitch();
    expect(mai.store.getState().models.autoSwitch).toBe(false);
    expect((await mai.processMessage('hi')).model).toBe('mai-demo-small');
    expect((await mai.processMessage(COMPLEX)).model).toBe('mai-demo-small');
    await mai.switchTo('mai-demo-large');
    expect(mai.store.getState().models.pinnedKey).toBe('mai-demo-large');
  });

  it('switches in the middle of a reply that is too slow, and the next model finishes it', async () => {
    // No engine writes 100,000 tokens a second: the slow model (which would go on until max_tokens)
    // is judged after a second of text and left mid-reply; the next small model goes on from its
    // text and ends the reply. Repetition is not judged here (max_repeat_ratio 1): speed alone.
    const mai = await start(
      ['slow-looping', 'tiny'],
      ['  struggle:', '    min_tokens_per_s: 100000', '    window_ms: 1000', '    judge_after_tokens: 4', '    max_repeat_ratio: 1', '  preload: false'].join('\n'),
    );
    await mai.models.switchTo('test-slow-looping', 'the test starts here');
    const reply = await mai.processMessage('hello');
    expect(reply.model).toBe('test-tiny');
    expect(reply.interrupted).toBe(false);
    expect(reply.stats.stopReason).toBe('eos');
    expect(reply.switches).toEqual([
      expect.objectContaining({from: 'test-slow-looping', to: 'test-tiny', kind: 'struggle', reason: expect.stringMatching(/tokens\/s over the last 1\.0 s \(floor 100000\)/)}),
    ]);
    // The slow model's words come first, then the tiny model's: one reply, nothing lost.
    expect(reply.text.startsWith('I go on slowly')).toBe(true);
    const last = mai.getConversationHistory().at(-1);
    expect(last).toMatchObject({role: 'assistant', text: reply.text, model: 'test-tiny', switchedBefore: expect.stringMatching(/^test-slow-looping → test-tiny: /)});
    expect(last?.interrupted).toBeUndefined();
    expect(await loggedEvents(mai, 'struggle')).toContainEqual(expect.objectContaining({model: 'test-slow-looping', kind: 'slow'}));
  });

  it('notices a model repeating itself, switches, and the reply completes on the next model', async () => {
    const mai = await start(['looping', 'tiny'], '  preload: false');
    await mai.models.switchTo('test-looping', 'the test starts here');
    const reply = await mai.processMessage('hello');
    expect(reply.model).toBe('test-tiny');
    expect(reply.stats.stopReason).toBe('eos');
    expect(reply.switches).toEqual([expect.objectContaining({from: 'test-looping', to: 'test-tiny', kind: 'struggle', reason: expect.stringMatching(/repeat/)})]);
    // What the looping model wrote stays; the tiny model goes on from it and ends the reply.
    expect(reply.text.startsWith('I repeat myself')).toBe(true);
    expect(mai.getConversationHistory().at(-1)).toMatchObject({role: 'assistant', text: reply.text, model: 'test-tiny'});
    expect(await loggedEvents(mai, 'struggle')).toContainEqual(expect.objectContaining({model: 'test-looping', kind: 'repetition'}));
  });

  it('R8: lands on the last of 100 switch requests, loading none twice and leaving no engine behind', async () => {
    const mai = await start(['demo-small', 'demo-medium', 'tiny'], '  preload: false');
    await mai.processMessage('hi');
    const keys = ['mai-demo-small', 'mai-demo-medium', 'test-tiny'];
    const requests = Array.from({length: 100}, (_, i) => mai.switchTo(keys[i % 3] as string));
    const outcomes = await Promise.all(requests);
    const last = keys[99 % 3];
    expect(outcomes.at(-1)).toBe('switched');
    expect(outcomes.filter((outcome) => outcome === 'superseded').length).toBeGreaterThanOrEqual(98);
    expect(mai.store.getState().models.currentKey).toBe(last);
    expect((await mai.processMessage('and you?')).model).toBe(last);
    expect(mai.models.loadedHandles().map((handle) => handle.key)).toEqual([last]);
    // One engine process per loaded model, no more (the spare is off here).
    const engines = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], {encoding: 'utf8'})
      .split('\n')
      .filter((line) => line.includes('engine-host'));
    expect(engines).toHaveLength(1);
  });

  // How fast a preloaded switch is against a cold one is P7 in `npm run bench` (a timing, not a test).
  it('switches to a preloaded model without loading it again', async () => {
    const mai = await start(['demo-small', 'demo-large'], '  preload: false');
    await mai.processMessage('hi');
    mai.models.preload('mai-demo-large', 'the test expects it');
    await waitFor(() => mai.store.getState().models.status['mai-demo-large']?.state === 'loaded', {what: 'mai-demo-large preloaded'});
    const preloadedPid = mai.models.loadedHandles().find((handle) => handle.key === 'mai-demo-large')?.pid;
    expect(preloadedPid).toBeDefined();
    await mai.models.switchTo('mai-demo-large', 'a switch to the preloaded model');
    expect(mai.store.getState().models.currentKey).toBe('mai-demo-large');
    expect(mai.models.current()?.handle.pid).toBe(preloadedPid);
    expect(await loggedEvents(mai, 'preloaded')).toContainEqual(expect.objectContaining({model: 'mai-demo-large'}));
  });
});
