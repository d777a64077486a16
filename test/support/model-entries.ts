import type {ModelEntry} from '../../src/store.js';

// A catalogue entry as the store holds it, for tests that fill the store by hand: a usable 7B-sized
// large model of the embedded backend that fits, unless `fields` says otherwise.

export function modelEntry(key: string, fields: Partial<ModelEntry> = {}): ModelEntry {
  return {
    key,
    backendId: 'embedded',
    displayName: key,
    sizeBytes: 4.4e9,
    contextLength: 8192,
    demo: false,
    tier: 'large',
    estimateBytes: 5e9,
    fits: true,
    ...fields,
  };
}
