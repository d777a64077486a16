import {GgufInsights, getLlama, LlamaLogLevel, readGgufFileInfo} from 'node-llama-cpp';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ENGINE_PROCESS_BYTES, estimateModelBytes, fitsInMemory, inferTier} from '../../src/manager/estimate.js';
import {readModelInfo} from '../../src/backends/embedded/gguf-files.js';
import type {ModelInfo} from '../../src/domain.js';
import {testModelPath, type TestModelKey} from '../support/models.js';
import {inject} from 'vitest';

// mai's own estimate (from the header alone, without loading llama.cpp into the UI process) against
// node-llama-cpp's, which asks llama.cpp itself.

let llama: Awaited<ReturnType<typeof getLlama>>;
beforeAll(async () => {
  llama = await getLlama({gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error});
});
afterAll(async () => {
  await llama.dispose();
});

describe('memory estimate', () => {
  it.each<[TestModelKey, number]>([
    ['demo-small', 1024],
    ['demo-medium', 2048],
    ['demo-large', 4096],
    ['slow', 2048],
  ])("of %s with a %i-token context is within a quarter of what llama.cpp estimates", async (model, context) => {
    const file = testModelPath(inject('modelDir'), model);
    const info = await readModelInfo(file, 'embedded');
    const insights = await GgufInsights.from(await readGgufFileInfo(file), llama);
    const weights = await insights.estimateModelResourceRequirementsV2({gpuLayers: 0});
    const contextCost = await insights.estimateContextResourceRequirementsV2({contextSize: context, modelGpuLayers: 0});
    const theirs = weights.cpuRam + contextCost.cpuRam;
    const ours = estimateModelBytes(info, context) - ENGINE_PROCESS_BYTES;
    expect(ours / theirs).toBeGreaterThan(0.75);
    expect(ours / theirs).toBeLessThan(1.25);
  });

  it('caps the context at what the model supports', async () => {
    const info = await readModelInfo(testModelPath(inject('modelDir'), 'demo-small'), 'embedded');
    expect(estimateModelBytes(info, 1_000_000)).toBe(estimateModelBytes(info, 1024));
  });

  it('keeps the headroom free', () => {
    expect(fitsInMemory(3, 5, 2)).toBe(true);
    expect(fitsInMemory(3.5, 5, 2)).toBe(false);
  });

  it.each([
    [1.5e9, 'small'],
    [7e9, 'medium'],
    [32e9, 'large'],
  ] as const)('puts a model of %d parameters in the %s tier', (params, tier) => {
    const info: ModelInfo = {key: 'm', backendId: 'embedded', displayName: 'm', sizeBytes: 1, contextLength: 4096, demo: false, params};
    expect(inferTier(info)).toBe(tier);
  });
});
