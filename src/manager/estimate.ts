import type {ModelInfo, Tier} from '../domain.js';

// What a model costs in memory before it is loaded: llama.cpp does not refuse a model larger than
// RAM (with mmap it loads it and the machine swaps), so mai checks this against available memory.

const GiB = 1024 ** 3;
/** An engine host is a Node process with llama.cpp loaded: about 90 MB RSS before any model. */
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

/** Memory needed to run the model with the context mai would give it (capped at its maximum). */
export function estimateModelBytes(info: ModelInfo, requestedContext: number): number {
  const context = Math.min(requestedContext, info.contextLength || requestedContext);
  if (!info.shape) return Math.round(info.sizeBytes * 1.2) + ENGINE_PROCESS_BYTES;
  const compute = info.shape.embeddingLength * COMPUTE_BYTES_PER_EMBEDDING;
  return info.shape.weightBytes + kvCacheBytes(info, context) + compute + ENGINE_PROCESS_BYTES;
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
