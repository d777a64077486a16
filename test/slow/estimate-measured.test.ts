import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
import {EstimateCorrections, estimatesFile} from '../../src/manager/estimate-corrections.js';
import {estimateModelBytes} from '../../src/manager/estimate.js';
import type {ModelInfo} from '../../src/domain.js';
import {TEST_MODELS, type TestModelKey} from '../support/models.js';
import {createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';

// Estimates that learn, on the real engine: one measured load of a forged model corrects its
// estimate to within ±5 % of what a later load of it really takes (goal P9).

let sandbox: Sandbox;
let backend: EmbeddedBackend;
let infos: Map<string, ModelInfo>;

beforeAll(async () => {
  sandbox = await createSandbox(['demo-small', 'demo-medium', 'demo-large', 'slow']);
  backend = new EmbeddedBackend({modelDirs: [sandbox.modelDir], threads: 1, gpu: false, maxTokens: 64, temperature: 0});
  infos = new Map((await backend.listModels()).map((info) => [info.key, info]));
});

afterAll(async () => {
  await backend.dispose();
  await sandbox.cleanup();
});

/** Loads, waits for the engine's measurement of the resident model, unloads. */
async function measuredLoad(key: string, contextLength: number) {
  const handle = await backend.load(key, {contextLength});
  const measured = await backend.measureLoad(handle);
  await backend.unload(handle);
  if (!measured) throw new Error(`no measurement of ${key}`);
  return measured;
}

describe('estimates that learn', () => {
  it.each<TestModelKey>(['demo-small', 'demo-medium', 'demo-large', 'slow'])(
    'after one load of %s, its corrected estimate is within five percent of what the next load takes',
    async (model) => {
      const key = keyOf(model);
      const info = infos.get(key) as ModelInfo;
      const contextLength = TEST_MODELS[model].spec?.contextLength ?? 1024;
      const corrections = await EstimateCorrections.open(estimatesFile(path.join(sandbox.home, model)));

      const first = await measuredLoad(key, contextLength);
      expect(first.residentBytes).toBeGreaterThan(first.baselineBytes);
      expect(first).toMatchObject({contextLength, gpuLayers: 0, vramBytes: 0});
      expect(await corrections.recordLoad(info, first)).not.toBeNull();

      // New engine processes: what the next loads of this model really take. One process's figure
      // varies by a few MB (its heap settles differently), a few percent of the small models' whole:
      // the median of three later loads is what a user's next loads look like.
      const later: number[] = [];
      for (let i = 0; i < 3; i++) later.push((await measuredLoad(key, contextLength)).residentBytes);
      const next = later.sort((a, b) => a - b)[1] ?? 0;
      const corrected = estimateModelBytes(info, contextLength, corrections.correctionFor(key));
      expect(Math.abs(corrected / next - 1)).toBeLessThan(0.05);
    },
  );

  it('measures a model whose first reply was asked for at once, and the reply is whole', async () => {
    const key = keyOf('demo-small');
    const handle = await backend.load(key, {contextLength: 1024});
    const [reply, measured] = await Promise.all([backend.respond(handle, [{role: 'user', content: 'hi'}]), backend.measureLoad(handle)]);
    expect(reply.text).toBe(TEST_MODELS['demo-small'].message);
    expect(measured?.residentBytes).toBeGreaterThan(measured?.baselineBytes ?? Infinity);
    await backend.unload(handle);
  });

  it('has no measurement of a model no longer loaded', async () => {
    const handle = await backend.load(keyOf('demo-medium'), {contextLength: 2048});
    await backend.unload(handle);
    expect(await backend.measureLoad(handle)).toBeNull();
  });
});
