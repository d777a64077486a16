// Matching model keys: a GGUF file may be named with or without `.gguf`, in any case.

import type {Config, ModelConfig} from './types.js';

/** Normalized form of a model key, the same for every spelling of one model. */
export function modelKeyId(key: string): string {
  return key.toLowerCase().replace(/\.gguf$/, '');
}

/** The `models:` entry for a model key (with or without `.gguf`, any case), if the config has one. */
export function modelConfigFor(config: Config, key: string): ModelConfig | undefined {
  // The schema rejects two entries with the same normalized key, so at most one can match.
  const id = modelKeyId(key);
  return config.models.find((entry) => modelKeyId(entry.key) === id);
}
