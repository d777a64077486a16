import type {LLMInfo} from '@lmstudio/sdk';
import {sanitizeForTerminal} from '../../util/sanitize.js';
import type {ModelInfo} from '../../domain.js';

// LM Studio's description of a model, as mai's ModelInfo. Every string comes from another program
// and will be drawn on the user's terminal, so each is sanitized here, at the border.

/** "7B" -> 7e9, "1.5B" -> 1.5e9, "350M" -> 3.5e8; undefined when LM Studio gives no usable count. */
export function parseParams(text: string | undefined): number | undefined {
  const match = /^\s*([\d.]+)\s*([KMBT])\s*$/i.exec(text ?? '');
  if (!match) return undefined;
  const scale = {K: 1e3, M: 1e6, B: 1e9, T: 1e12}[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'B' | 'T'];
  const value = Number(match[1]) * scale;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** One line of printable text. */
export function safeName(text: string): string {
  return sanitizeForTerminal(text).replace(/\s+/g, ' ').trim();
}

export type LoadedBy = 'user' | 'mai';

export function toModelInfo(info: LLMInfo, backendId: string, loadedBy?: LoadedBy): ModelInfo {
  const key = safeName(info.modelKey);
  const params = parseParams(info.paramsString);
  return {
    key,
    // A key LM Studio sent with control characters is shown cleaned up, and loaded by its real name.
    ...(key === info.modelKey ? {} : {backendKey: info.modelKey}),
    backendId,
    displayName: safeName(info.displayName) || key,
    sizeBytes: info.sizeBytes,
    ...(params ? {params} : {}),
    ...(info.quantization?.name ? {quant: safeName(info.quantization.name)} : {}),
    ...(info.architecture ? {arch: safeName(info.architecture)} : {}),
    contextLength: info.maxContextLength,
    path: info.path,
    demo: false,
    ...(loadedBy ? {loadedBy} : {}),
  };
}
