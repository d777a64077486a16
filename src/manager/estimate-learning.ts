import * as z from 'zod';

// How a measured load corrects the next estimates (DESIGN.md §5, goal P9: within ±5 % after one
// load). The estimate from the GGUF header is off by a model-specific amount (the vocabulary's
// tables, llama.cpp's own buffers, how much of the compute buffer a reply touches), so mai keeps,
// per model, measured ÷ estimated for the model's own part, and the size of an empty engine on
// this machine. Pure: estimate-corrections.ts reads and writes the file.

import type {MeasuredLoad} from '../backends/backend.js';

export type {MeasuredLoad};

const ModelCorrectionSchema = z.object({
  factor: z.number().positive(),
  samples: z.number().int().positive(),
  /** The GPU layers of its last load: the catalogue splits its estimate between RAM and VRAM. */
  gpuLayers: z.number().int().nonnegative(),
  measuredAt: z.string(),
});

export const CorrectionsSchema = z.object({
  version: z.literal(1),
  engine: z.object({baselineBytes: z.number().positive(), samples: z.number().int().positive()}).optional(),
  models: z.record(z.string(), ModelCorrectionSchema),
});
export type Corrections = z.infer<typeof CorrectionsSchema>;

export const NO_CORRECTIONS: Corrections = {version: 1, models: {}};

/**
 * The first samples are averaged; after SMOOTHING_WINDOW, each new one weighs 1/SMOOTHING_WINDOW
 * (a moving average): one odd measurement moves the estimate a quarter of the way, and a model
 * whose file changed is learned again within a few loads.
 */
export const SMOOTHING_WINDOW = 4;

/**
 * A factor outside these bounds is a failed measurement, not a model (RSS that fell during the
 * load because the JS heap was collected; a reply's growth mistaken for the model). The demo
 * models measured 0.9 to 2.1; a real model's header estimate is within a few tens of percent.
 */
export const PLAUSIBLE_FACTORS = {min: 0.1, max: 10} as const;

export function smooth(previous: number, samples: number, sample: number): number {
  return previous + (sample - previous) / Math.min(samples + 1, SMOOTHING_WINDOW);
}

/** The model's own part of a load: what it added to the empty engine, in RAM and on the GPU. */
export function measuredModelBytes(measured: MeasuredLoad): number {
  return measured.residentBytes - measured.baselineBytes + measured.vramBytes;
}

/** Measured ÷ estimated, or null when the pair does not describe a real load. */
export function correctionFactor(estimatedModelBytes: number, measuredBytes: number): number | null {
  if (!(estimatedModelBytes > 0) || !(measuredBytes > 0)) return null;
  const factor = measuredBytes / estimatedModelBytes;
  return factor >= PLAUSIBLE_FACTORS.min && factor <= PLAUSIBLE_FACTORS.max ? factor : null;
}

export type Learned = {readonly corrections: Corrections; readonly factor: number | null};

/**
 * The corrections after one measured load of `key`, whose model part mai estimated (without
 * correction, for the context and layers the load got) at `estimatedModelBytes`. An implausible
 * sample leaves the model's factor as it was; the empty engine is learned from every load.
 */
export function learnFromLoad(corrections: Corrections, key: string, estimatedModelBytes: number, measured: MeasuredLoad, now: Date): Learned {
  let next = corrections;
  if (measured.baselineBytes > 0) {
    const engine = corrections.engine;
    next = {
      ...next,
      engine: engine
        ? {baselineBytes: Math.round(smooth(engine.baselineBytes, engine.samples, measured.baselineBytes)), samples: engine.samples + 1}
        : {baselineBytes: measured.baselineBytes, samples: 1},
    };
  }
  const sample = correctionFactor(estimatedModelBytes, measuredModelBytes(measured));
  if (sample === null) return {corrections: next, factor: null};
  const previous = corrections.models[key];
  const factor = previous ? smooth(previous.factor, previous.samples, sample) : sample;
  const model = {factor, samples: (previous?.samples ?? 0) + 1, gpuLayers: measured.gpuLayers, measuredAt: now.toISOString()};
  return {corrections: {...next, models: {...next.models, [key]: model}}, factor};
}
