import path from 'node:path';
import type {ModelInfo} from '../../src/domain.js';

// What LM Studio says about its models, in the shapes @lmstudio/sdk 1.5.0 validates (zod schemas
// llmInfoSchema / llmInstanceInfoSchema in its dist/index.mjs; a missing required key makes the
// client hang instead of failing, so every required key is here). Built from mai's own reading of
// the GGUF header, so sizes, architectures and context lengths are those of the real files.

/** An error as LM Studio serializes it: `{title, cause?, suggestion?}`. */
export type SerializedError = {readonly title: string; readonly cause?: string; readonly suggestion?: string};

export type LMStudioModelInfo = {
  readonly type: 'llm';
  readonly modelKey: string;
  readonly format: 'gguf';
  readonly displayName: string;
  /** Relative to LM Studio's models folder, with forward slashes: `publisher/repo/file.gguf`. */
  readonly path: string;
  readonly sizeBytes: number;
  readonly paramsString?: string;
  readonly architecture?: string;
  readonly quantization?: {readonly name: string; readonly bits: number};
  readonly vision: boolean;
  readonly trainedForToolUse: boolean;
  readonly maxContextLength: number;
};

export type LMStudioInstanceInfo = LMStudioModelInfo & {
  readonly identifier: string;
  readonly instanceReference: string;
  readonly contextLength: number;
};

/** "26M", "1.2B": how LM Studio writes parameter counts. */
export function paramsString(params: number | undefined): string | undefined {
  if (!params) return undefined;
  if (params >= 1e9) return `${(params / 1e9).toFixed(1).replace(/\.0$/, '')}B`;
  if (params >= 1e6) return `${Math.round(params / 1e6)}M`;
  return `${Math.round(params / 1e3)}K`;
}

function quantBits(quant: string): number {
  const bits = /(\d+)/.exec(quant)?.[1];
  return bits ? Number(bits) : 16;
}

/**
 * LM Studio's entry for a GGUF file under `modelsDir`. Its model key is the file name in lower
 * case unless `modelKey` is given (LM Studio's own keys, like `qwen2.5-7b-instruct`, often differ
 * from the file name).
 */
export function modelInfoFor(header: ModelInfo, modelsDir: string, modelKey?: string): LMStudioModelInfo {
  const file = header.path ?? '';
  const quant = header.quant;
  return {
    type: 'llm',
    modelKey: modelKey ?? header.key.toLowerCase(),
    format: 'gguf',
    displayName: header.displayName,
    path: path.relative(modelsDir, file).split(path.sep).join('/'),
    sizeBytes: header.sizeBytes,
    ...(paramsString(header.params) ? {paramsString: paramsString(header.params)} : {}),
    ...(header.arch ? {architecture: header.arch} : {}),
    ...(quant ? {quantization: {name: quant, bits: quantBits(quant)}} : {}),
    vision: false,
    trainedForToolUse: false,
    maxContextLength: header.contextLength,
  };
}

export function instanceInfoFor(
  info: LMStudioModelInfo,
  identifier: string,
  instanceReference: string,
  contextLength: number,
): LMStudioInstanceInfo {
  return {...info, identifier, instanceReference, contextLength};
}

/** What LM Studio answers when llama.cpp cannot load a model (seen in its UI and `lms load`). */
export const LOAD_FAILED_ERROR: SerializedError = {
  title: 'Failed to load model',
  cause: 'Error loading model. (Exit code: 18446744072635812000). Unknown error. Try a different model and/or config.',
  suggestion: 'Make sure the model file is complete, or try a smaller context length.',
};

export function notFoundError(what: string): SerializedError {
  return {title: `No model found with the ${what}`, suggestion: 'Use `lms ls` to list the downloaded models.'};
}

/** `contextLength` from a load config stack (`llm.load.contextLength`), when the client set it. */
export function configValue(stack: unknown, suffix: string): unknown {
  const layers = (stack as {layers?: {config?: {fields?: {key: string; value: unknown}[]}}[]} | undefined)?.layers ?? [];
  let value: unknown;
  for (const layer of layers) {
    for (const field of layer.config?.fields ?? []) if (field.key.endsWith(suffix)) value = field.value;
  }
  return value;
}

/** A checkbox-numeric config value (`{checked, value}`) or a plain number; undefined when unchecked. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'checked' in value && 'value' in value) {
    const {checked, value: inner} = value as {checked: boolean; value: unknown};
    return checked && typeof inner === 'number' ? inner : undefined;
  }
  return undefined;
}

/** Chat history as the SDK sends it (`{messages: [{role, content: [{type: 'text', text}]}]}`). */
export function historyToMessages(history: unknown): {role: 'system' | 'user' | 'assistant'; content: string}[] {
  const messages = (history as {messages?: {role: string; content: {type: string; text?: string}[]}[]} | undefined)?.messages ?? [];
  return messages.map((message) => ({
    role: message.role === 'assistant' || message.role === 'system' ? message.role : 'user',
    content: message.content
      .filter((part) => part.type === 'text')
      .map((part) => part.text ?? '')
      .join(''),
  }));
}
