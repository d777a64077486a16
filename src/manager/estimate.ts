import type {ModelInfo, Tier} from '../domain.js';

// What a model costs in memory before it is loaded: llama.cpp does not refuse a model larger than
// RAM (with mmap it loads it and the machine swaps), so mai checks this against available memory.

const GiB = 1024 ** 3;
/**
 * An engine host is a Node process with llama.cpp loaded: 87 MB RSS before any model (built, CPU,
 * measured); the default until mai has measured an empty engine on this machine (estimate-learning.ts).
 */
export const ENGINE_PROCESS_BYTES = 100 * 1024 ** 2;
/** llama.cpp's compute buffer for a 512-token batch, per embedding unit (measured on demo models). */
const COMPUTE_BYTES_PER_EMBEDDING = 512 * 4 * 6;

/** Bytes of the KV cache for `contextLength` tokens (f16 keys and values, llama.cpp's default). */
export function kvCacheBytes(info: ModelInfo, contextLength: number): number {
  const shape = info.shape;
  if (!shape || shape.headCount === 0) return 0;
  const headDim = shape.embeddingLength / shape.headCount;
  return 2 * shape.layers * contextLength * shape.headCountKv * headDim * 2;
}

/** What mai learned from earlier loads of a model (estimate-learning.ts); the defaults change nothing. */
export type EstimateCorrection = {
  /** Measured ÷ estimated, for the model's own part (weights, KV cache, compute buffer). */
  readonly factor?: number;
  /** An empty engine process, as measured on this machine. */
  readonly engineProcessBytes?: number;
};

/** What loading the model adds to an empty engine: weights, KV cache and compute buffer. */
export function estimateModelPartBytes(info: ModelInfo, requestedContext: number): number {
  const context = Math.min(requestedContext, info.contextLength || requestedContext);
  if (!info.shape) return Math.round(info.sizeBytes * 1.2);
  return info.shape.weightBytes + kvCacheBytes(info, context) + computeBufferBytes(info);
}

function computeBufferBytes(info: ModelInfo): number {
  return (info.shape?.embeddingLength ?? 0) * COMPUTE_BYTES_PER_EMBEDDING;
}

/** Memory needed to run the model with the context mai would give it (capped at its maximum). */
export function estimateModelBytes(info: ModelInfo, requestedContext: number, correction: EstimateCorrection = {}): number {
  const {factor = 1, engineProcessBytes = ENGINE_PROCESS_BYTES} = correction;
  return Math.round(estimateModelPartBytes(info, requestedContext) * factor) + engineProcessBytes;
}

/** Where a model's memory goes: system RAM (the engine process included) and GPU memory. */
export type MemorySplit = {readonly ramBytes: number; readonly vramBytes: number};

/**
 * The estimate split between RAM and VRAM for `gpuLayers` offloaded layers, as node-llama-cpp
 * resolves them (0 to layers + 1: the last one is the output layer). Each of the layers + 1 slots
 * holds an equal share of the weights (the output layer is about one block's size in real models;
 * the token embeddings, which llama.cpp keeps on the CPU, are a few percent); an offloaded layer's
 * KV cache lives on its GPU, and so does the compute buffer once any layer is offloaded.
 * Not yet checked against a real GPU: mai's tests and benchmarks run where there is none.
 */
export function splitEstimate(info: ModelInfo, requestedContext: number, gpuLayers: number, correction: EstimateCorrection = {}): MemorySplit {
  const {factor = 1, engineProcessBytes = ENGINE_PROCESS_BYTES} = correction;
  const part = estimateModelPartBytes(info, requestedContext);
  const shape = info.shape;
  if (!shape || shape.layers === 0 || gpuLayers <= 0) return {ramBytes: Math.round(part * factor) + engineProcessBytes, vramBytes: 0};
  const context = Math.min(requestedContext, info.contextLength || requestedContext);
  const slots = Math.min(gpuLayers, shape.layers + 1);
  const offloadedBlocks = Math.min(gpuLayers, shape.layers);
  const vram =
    (shape.weightBytes * slots) / (shape.layers + 1) + (kvCacheBytes(info, context) * offloadedBlocks) / shape.layers + computeBufferBytes(info);
  const vramBytes = Math.round(Math.min(vram, part) * factor);
  return {ramBytes: Math.round(part * factor) - vramBytes + engineProcessBytes, vramBytes};
}

/** Whether a model fits now, keeping `headroomBytes` free for the rest of the machine. */
export function fitsInMemory(estimateBytes: number, availableBytes: number, headroomBytes: number): boolean {
  return estimateBytes + headroomBytes <= availableBytes;
}

/** A model without a configured or declared tier is placed by its parameter count. */
export function inferTier(info: ModelInfo): Tier {
  const params = info.params ?? info.sizeBytes / 2; // unknown: assume ~16 bits per weight
  if (params < 3.5e9) return 'small';
  if (params < 10e9) return 'medium';
  return 'large';
}

export function gib(bytes: number): number {
  return bytes / GiB;
}
