import {afterEach, describe, expect, it} from 'vitest';
import {readMemory} from '../../../src/monitor/memory-reader.js';
import {MemoryHog} from '../../support/memory-hog-process.js';
import {TEST_MODELS} from '../../support/models.js';
import {loggedEvents, startPolicyMai, type PolicyMai} from '../../support/policy-mai.js';
import {waitFor} from '../../support/wait-for.js';

// R3 (issue 13): a real memory hog (a child process holding RAM) during a conversation: mai
// switches down tier by tier, nothing runs out of memory, the conversation stays whole and goes on,
// and mai goes back up once the memory is back. Slow (four cold loads and the dwells): run by
// `npm run drills`, not by `npm test`.

const GiB = 1024 ** 3;
const COMPLEX =
  'Explain step by step why merge sort runs in O(n log n) time, prove the recurrence, and compare it with quicksort:\n```ts\nfunction sort(a: number[]) { return a; }\n```';

let started: PolicyMai | undefined;
let hog: MemoryHog | undefined;

afterEach(async () => {
  await hog?.exit();
  await started?.close();
  hog = undefined;
  started = undefined;
});

describe('R3: memory pressure during a conversation', () => {
  it('switches down under a real memory hog, keeps the conversation, and goes back up once it is gone', async () => {
    // Thresholds relative to this machine's free RAM now, so that a hog of at most 2 GiB (a quarter
    // of what is available) makes RAM pressure critical: critical at 60 % of the way down.
    const baseline = await readMemory();
    const bytes = Math.min(2 * GiB, baseline.availableBytes / 4);
    const freePct = (baseline.availableBytes / baseline.totalBytes) * 100;
    const hogPct = (bytes / baseline.totalBytes) * 100;
    started = await startPolicyMai(
      ['demo-small', 'demo-medium', 'demo-large'],
      [
        'sample_interval_ms: 250',
        'pressure:',
        `  ram_free_pct: {elevated: ${(freePct - 0.25 * hogPct).toFixed(2)}, critical: ${(freePct - 0.6 * hogPct).toFixed(2)}}`,
        `  hysteresis_pct: ${(0.1 * hogPct).toFixed(2)}`,
        '  dwell_ms: 500',
        'switch_down_after_ms: 1000',
        'switch_up_after_ms: 2000',
        'preload: false',
      ],
    );
    const {mai} = started;
    mai.start();
    expect((await mai.processMessage(COMPLEX)).model).toBe('mai-demo-large');

    hog = await MemoryHog.start();
    await hog.alloc(bytes);
    // The hog stays, so the pressure does: one tier down, then (switch_down_after_ms later) the next.
    await waitFor(() => mai.store.getState().models.currentKey === 'mai-demo-small', {what: 'switches down to mai-demo-small', timeoutMs: 90_000});
    const downs = mai.store.getState().models.switches.filter((record) => record.kind === 'pressure');
    expect(downs).toEqual([
      expect.objectContaining({from: 'mai-demo-large', to: 'mai-demo-medium', reason: expect.stringMatching(/RAM critical for [\d.]+ s: down to mai-demo-medium/)}),
      expect.objectContaining({from: 'mai-demo-medium', to: 'mai-demo-small', reason: expect.stringMatching(/RAM critical for [\d.]+ s: down to mai-demo-small/)}),
    ]);

    // Chatting goes on under pressure, on the smaller model, with the whole conversation: even a
    // message that asks for the large tier does not take mai up while memory is critical.
    const during = await mai.processMessage(`${COMPLEX} Again, in other words.`);
    expect(during.model).toBe('mai-demo-small');
    expect(during.text).toBe(TEST_MODELS['demo-small'].message);
    expect(mai.getConversationHistory()).toHaveLength(4);

    await hog.exit();
    hog = undefined;
    await waitFor(() => mai.store.getState().models.currentKey === 'mai-demo-large', {what: 'a switch back up to mai-demo-large', timeoutMs: 90_000});
    expect(mai.store.getState().models.lastSwitch).toMatchObject({from: 'mai-demo-small', to: 'mai-demo-large', kind: 'pressure', reason: expect.stringMatching(/pressure ok/)});
    expect((await mai.processMessage('thanks')).model).toBe('mai-demo-large');
    expect(mai.getConversationHistory()).toHaveLength(6);
    const switches = await loggedEvents(mai, 'switch');
    expect(switches.filter((event) => event.kind === 'pressure').map((event) => [event.from, event.to])).toEqual([
      ['mai-demo-large', 'mai-demo-medium'],
      ['mai-demo-medium', 'mai-demo-small'],
      ['mai-demo-small', 'mai-demo-large'],
    ]);
  });
});
