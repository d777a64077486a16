import {describe, expect, it} from 'vitest';
import type {ModelInfo} from '../../src/domain.js';
import {toEntry, type CatalogContext} from '../../src/manager/catalog.js';
import {ENGINE_PROCESS_BYTES, estimateModelBytes, estimateModelPartBytes, kvCacheBytes, splitEstimate} from '../../src/manager/estimate.js';
import {
  correctionFactor,
  learnFromLoad,
  NO_CORRECTIONS,
  smooth,
  type MeasuredLoad,
} from '../../src/manager/estimate-learning.js';

// How measured loads correct the next estimates, and how an estimate splits between RAM and VRAM.

const MB = 1024 ** 2;
const NOW = new Date('2026-12-01T12:00:00Z');

// A 7B-like shape: 32 blocks, 4096 wide, grouped-query attention (8 KV heads), 4 GB of weights.
const model: ModelInfo = {
  key: 'm7b',
  backendId: 'embedded',
  displayName: 'm7b',
  sizeBytes: 4000 * MB,
  contextLength: 8192,
  demo: false,
  shape: {layers: 32, embeddingLength: 4096, headCount: 32, headCountKv: 8, weightBytes: 4000 * MB},
};

function load(residentMB: number, baselineMB = 90, extra: Partial<MeasuredLoad> = {}): MeasuredLoad {
  return {contextLength: 4096, gpuLayers: 0, baselineBytes: baselineMB * MB, residentBytes: residentMB * MB, vramBytes: 0, ...extra};
}

describe('smoothing of measured factors', () => {
  it.each([
    // previous, samples so far, new sample, expected
    [1.0, 1, 2.0, 1.5], // the second sample: the mean of two
    [1.5, 2, 3.0, 2.0], // the third: the mean of three
    [2.0, 3, 6.0, 3.0], // the fourth: a quarter of the way
    [2.0, 40, 6.0, 3.0], // later samples weigh a quarter each, never less
  ])('from %d after %i samples, a sample of %d gives %d', (previous, samples, sample, expected) => {
    expect(smooth(previous, samples, sample)).toBeCloseTo(expected, 10);
  });
});

describe('a correction factor', () => {
  it.each([
    [100, 93, 0.93],
    [10, 20, 2],
    [100, 0, null], // RSS fell during the load (the JS heap was collected): no measurement
    [100, -5, null],
    [0, 50, null], // nothing estimated: nothing to correct
    [100, 5, null], // a twentieth: a failed measurement, not a model
    [10, 200, null],
  ])('of %d MB estimated and %d MB measured is %s', (estimated, measured, expected) => {
    const factor = correctionFactor(estimated * MB, measured * MB);
    if (expected === null) expect(factor).toBeNull();
    else expect(factor).toBeCloseTo(expected, 10);
  });
});

describe('learning from a load', () => {
  it('keeps measured ÷ estimated of the model part, the GPU layers, and the empty engine', () => {
    const {corrections, factor} = learnFromLoad(NO_CORRECTIONS, 'm', 200 * MB, load(90 + 186), NOW);
    expect(factor).toBeCloseTo(0.93, 10);
    expect(corrections.models.m).toEqual({factor, samples: 1, gpuLayers: 0, measuredAt: NOW.toISOString()});
    expect(corrections.engine).toEqual({baselineBytes: 90 * MB, samples: 1});
  });

  it('counts the VRAM a load took as part of the model', () => {
    const {factor} = learnFromLoad(NO_CORRECTIONS, 'm', 200 * MB, load(90 + 40, 90, {gpuLayers: 20, vramBytes: 160 * MB}), NOW);
    expect(factor).toBeCloseTo(1, 10);
  });

  it('smooths a model measured again, and the engine too', () => {
    const first = learnFromLoad(NO_CORRECTIONS, 'm', 100 * MB, load(90 + 100), NOW).corrections;
    const {corrections, factor} = learnFromLoad(first, 'm', 100 * MB, load(110 + 120, 110), NOW);
    expect(factor).toBeCloseTo(1.1, 10);
    expect(corrections.models.m?.samples).toBe(2);
    expect(corrections.engine).toEqual({baselineBytes: 100 * MB, samples: 2});
  });

  it('leaves the factor as it was after an implausible measurement, still learning the engine', () => {
    const first = learnFromLoad(NO_CORRECTIONS, 'm', 100 * MB, load(90 + 120), NOW).corrections;
    const {corrections, factor} = learnFromLoad(first, 'm', 100 * MB, load(80, 90), NOW);
    expect(factor).toBeNull();
    expect(corrections.models.m).toEqual(first.models.m);
    expect(corrections.engine?.samples).toBe(2);
  });

  it('keeps each model apart', () => {
    const first = learnFromLoad(NO_CORRECTIONS, 'a', 100 * MB, load(90 + 200), NOW).corrections;
    const {corrections} = learnFromLoad(first, 'b', 100 * MB, load(90 + 50), NOW);
    expect(corrections.models.a?.factor).toBeCloseTo(2, 10);
    expect(corrections.models.b?.factor).toBeCloseTo(0.5, 10);
  });
});

describe('a corrected estimate', () => {
  it('scales the model part and replaces the built-in engine size with the measured one', () => {
    const part = estimateModelPartBytes(model, 4096);
    expect(estimateModelBytes(model, 4096)).toBe(part + ENGINE_PROCESS_BYTES);
    expect(estimateModelBytes(model, 4096, {factor: 1.1, engineProcessBytes: 87 * MB})).toBe(Math.round(part * 1.1) + 87 * MB);
  });
});

describe('the split between RAM and VRAM', () => {
  const part = estimateModelPartBytes(model, 4096);
  const kv = kvCacheBytes(model, 4096);
  const compute = part - 4000 * MB - kv;
  const slot = (4000 * MB) / 33; // 32 blocks and the output layer

  it.each([
    // GPU layers, expected VRAM
    [0, 0],
    [-1, 0],
    [1, slot + kv / 32 + compute],
    [16, 16 * slot + kv / 2 + compute],
    [32, 32 * slot + kv + compute],
    [33, part], // every block and the output layer: all of it
    [99, part], // node-llama-cpp never resolves more, but a stale record might say so
  ])('with %i GPU layers puts %d bytes on the GPU and the rest, with the engine, in RAM', (gpuLayers, vram) => {
    const split = splitEstimate(model, 4096, gpuLayers);
    expect(split.vramBytes).toBeCloseTo(vram, -1);
    expect(split.ramBytes + split.vramBytes).toBe(estimateModelBytes(model, 4096));
    expect(split.ramBytes).toBeGreaterThanOrEqual(ENGINE_PROCESS_BYTES);
  });

  it('applies the correction to both parts', () => {
    const plain = splitEstimate(model, 4096, 16);
    const corrected = splitEstimate(model, 4096, 16, {factor: 1.2, engineProcessBytes: 80 * MB});
    expect(corrected.vramBytes).toBe(Math.round(plain.vramBytes * 1.2));
    expect(corrected.ramBytes + corrected.vramBytes).toBe(estimateModelBytes(model, 4096, {factor: 1.2, engineProcessBytes: 80 * MB}));
  });

  it('keeps a model without a readable shape in RAM', () => {
    const {shape: _shape, ...shapeless} = model;
    expect(splitEstimate(shapeless, 4096, 20)).toEqual({ramBytes: estimateModelBytes(shapeless, 4096), vramBytes: 0});
  });
});

describe('a catalogue entry', () => {
  const base: CatalogContext = {settingsFor: () => undefined, contextLength: 4096, availableBytes: 64 * 1024 * MB, headroomBytes: 0};

  it('shows the corrected estimate and decides the fit on it', () => {
    const estimate = estimateModelBytes(model, 4096, {factor: 1.5, engineProcessBytes: 80 * MB});
    const context = {...base, correctionFor: () => 1.5, engineProcessBytes: 80 * MB};
    expect(toEntry(model, context).estimateBytes).toBe(estimate);
    expect(toEntry(model, {...context, availableBytes: estimate}).fits).toBe(true);
    expect(toEntry(model, {...context, availableBytes: estimate - 1}).fits).toBe(false);
    // Uncorrected, the same memory would have seemed enough.
    expect(toEntry(model, {...base, availableBytes: estimate - 1}).fits).toBe(true);
  });

  it('with offloaded layers counts RAM and VRAM apart, and fits only where both fit', () => {
    const split = splitEstimate(model, 4096, 20);
    const context = {...base, gpuLayersFor: () => 20, availableBytes: split.ramBytes};
    expect(toEntry(model, {...context, availableVramBytes: split.vramBytes})).toMatchObject({
      estimateBytes: split.ramBytes,
      estimateVramBytes: split.vramBytes,
      fits: true,
    });
    expect(toEntry(model, {...context, availableVramBytes: split.vramBytes - 1}).fits).toBe(false);
  });

  it('has no VRAM estimate when nothing is offloaded', () => {
    expect(toEntry(model, {...base, gpuLayersFor: () => 0}).estimateVramBytes).toBeUndefined();
  });
});
