import type {ModelInfo} from '../../domain.js';
import {sanitizeForTerminal} from '../../util/sanitize.js';

// A `/v1/models` entry as mai's ModelInfo. OpenAI's own entry says only `id`; the servers mai meets
// add what they know, each in its own field, and mai reads whichever is there:
// - llama-server: `meta: {n_ctx_train, n_params, size}`
// - vLLM: `max_model_len`
// - LM Studio's REST API (/api/v0/models): `max_context_length`
// - others (Ollama's /v1, LocalAI, llama-swap): nothing; then the id may still name the size
//   ("qwen2.5:7b", "Llama-3.1-70B-Instruct"), enough for the catalogue to give a tier.

/**
 * The context length assumed when a server does not say: llama.cpp's default window (`-c`, 4096 in
 * common.h). Too small is the safe side: mai summarizes earlier rather than sending a prompt the
 * server would cut or refuse.
 */
export const DEFAULT_REMOTE_CONTEXT = 4096;

export type ModelEntry = {
  readonly id: string;
  readonly [field: string]: unknown;
};

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** "7b" -> 7e9, "0.5B" -> 5e8, "8x7b" -> 5.6e10, "350m" -> 3.5e8, from a model id; undefined when none. */
export function paramsFromId(id: string): number | undefined {
  // A size stands alone between separators: "llama-3.1-8b-instruct", "qwen2.5:7b", "phi3_3.8B".
  const match = /(?:^|[-_:/.\s])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?=$|[-_:/.\s])/i.exec(id);
  if (!match) return undefined;
  const experts = match[1] ? Number(match[1]) : 1;
  const scale = (match[3] ?? '').toLowerCase() === 'b' ? 1e9 : 1e6;
  return positive(experts * Number(match[2]) * scale);
}

/** "Q4_K_M", "q8_0", "IQ3_XS", "F16", when the id names its quantization. */
export function quantFromId(id: string): string | undefined {
  return /(?:^|[-_:/.\s])((?:I?Q\d(?:_[A-Z0-9]+)*)|F16|BF16|F32)(?=$|[-_:/.\s])/i.exec(id)?.[1]?.toUpperCase();
}

export function contextLengthOf(entry: ModelEntry): number {
  const meta = entry.meta as {n_ctx_train?: unknown} | undefined;
  return (
    positive(meta?.n_ctx_train) ??
    positive(entry.max_model_len) ??
    positive(entry.max_context_length) ??
    positive(entry.context_length) ??
    DEFAULT_REMOTE_CONTEXT
  );
}

/** One line of printable text (the id comes from another machine and ends up on the terminal). */
export function safeName(text: string): string {
  return sanitizeForTerminal(text).replace(/\s+/g, ' ').trim();
}

export function toModelInfo(entry: ModelEntry, backendId: string, host: string): ModelInfo {
  const key = safeName(entry.id);
  const meta = entry.meta as {n_params?: unknown; size?: unknown} | undefined;
  const params = positive(meta?.n_params) ?? paramsFromId(entry.id);
  const quant = quantFromId(entry.id);
  return {
    key,
    // An id the server sent with control characters is shown cleaned up, and asked for by its real name.
    ...(key === entry.id ? {} : {backendKey: entry.id}),
    backendId,
    host,
    displayName: key,
    // Unknown for most servers; 0 tells the catalogue that the host, not this machine, holds it.
    sizeBytes: positive(meta?.size) ?? 0,
    ...(params ? {params} : {}),
    ...(quant ? {quant} : {}),
    contextLength: contextLengthOf(entry),
    demo: false,
  };
}
