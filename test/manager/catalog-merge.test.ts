import {describe, expect, it} from 'vitest';
import type {ModelInfo} from '../../src/domain.js';
import {mergeListings, sameFile, type BackendListing} from '../../src/manager/catalog-merge.js';

// One catalogue from every backend: the same file seen through LM Studio and on disk is one model.

const HOME_MODELS = '/home/ann/.lmstudio/models';

function onDisk(key: string, relative: string, sizeBytes = 1000, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {key, backendId: 'embedded', displayName: key, sizeBytes, contextLength: 4096, path: `${HOME_MODELS}/${relative}`, demo: false, ...extra};
}

function inLMStudio(key: string, relative: string, sizeBytes = 1000, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {key, backendId: 'lmstudio', displayName: key, sizeBytes, contextLength: 8192, path: relative, demo: false, ...extra};
}

const disk = (...infos: ModelInfo[]): BackendListing => ({backendId: 'embedded', kind: 'embedded', infos});
const lmstudio = (...infos: ModelInfo[]): BackendListing => ({backendId: 'lmstudio', kind: 'lmstudio', infos});

const QWEN_FILE = 'lmstudio-community/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf';

describe('sameFile', () => {
  const elsewhere = (sizeBytes: number) => ({...onDisk('a', 'x', sizeBytes), path: '/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf'});
  it.each([
    {name: 'the same path under LM Studio\'s folder', a: onDisk('a', QWEN_FILE), b: inLMStudio('x', QWEN_FILE), same: true},
    {name: 'a copy: the same file name and size elsewhere', a: elsewhere(1000), b: inLMStudio('x', QWEN_FILE), same: true},
    {name: 'the same file name, another size', a: elsewhere(999), b: inLMStudio('x', QWEN_FILE), same: false},
    {name: 'another quantization of the model', a: onDisk('a', QWEN_FILE.replace('Q4_K_M', 'Q8_0')), b: inLMStudio('x', QWEN_FILE), same: false},
    {name: 'no path from LM Studio', a: onDisk('a', QWEN_FILE), b: {...inLMStudio('x', QWEN_FILE), path: undefined}, same: false},
  ])('$name: $same', ({a, b, same}) => {
    expect(sameFile(a, b)).toBe(same);
  });
});

describe('mergeListings', () => {
  it('makes one entry of a file that LM Studio also serves, keyed by its file name, run by LM Studio', () => {
    const file = onDisk('Qwen2.5-7B-Instruct-Q4_K_M', QWEN_FILE, 1000, {shape: {layers: 28, embeddingLength: 3584, headCount: 28, headCountKv: 4, weightBytes: 900}});
    const served = inLMStudio('qwen2.5-7b-instruct', QWEN_FILE, 1000, {params: 7.6e9, quant: 'Q4_K_M', loadedBy: 'user'});
    const [entry, ...rest] = mergeListings([lmstudio(served), disk(file)]);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      key: 'Qwen2.5-7B-Instruct-Q4_K_M',
      backendId: 'lmstudio',
      backendKey: 'qwen2.5-7b-instruct',
      path: `${HOME_MODELS}/${QWEN_FILE}`,
      params: 7.6e9,
      quant: 'Q4_K_M',
      loadedBy: 'user',
      sources: [
        {backendId: 'lmstudio', kind: 'lmstudio', key: 'qwen2.5-7b-instruct'},
        {backendId: 'embedded', kind: 'embedded', key: 'Qwen2.5-7B-Instruct-Q4_K_M'},
      ],
    });
    // The header read from disk keeps what the memory estimate needs.
    expect(entry?.shape?.layers).toBe(28);
  });

  it('runs a model on the backend it is pinned to', () => {
    const pinned = mergeListings([disk(onDisk('qwen', QWEN_FILE)), lmstudio(inLMStudio('qwen-lms', QWEN_FILE))], (keys) =>
      keys.includes('qwen-lms') ? 'embedded' : undefined,
    );
    expect(pinned).toHaveLength(1);
    expect(pinned[0]).toMatchObject({key: 'qwen', backendId: 'embedded', sources: [{kind: 'embedded'}, {kind: 'lmstudio'}]});
    expect(pinned[0]?.backendKey).toBeUndefined();
  });

  it('marks a model pinned to a backend that does not offer it now as unusable, with the reason', () => {
    const [entry] = mergeListings([disk(onDisk('qwen', QWEN_FILE))], () => 'lmstudio');
    expect(entry?.unusable).toBe('pinned to LM Studio (backend: lmstudio in models.yaml), which does not offer it now');
  });

  it('keeps models only one backend has, and renames a different model that shares a key', () => {
    const entries = mergeListings([
      disk(onDisk('llama-3.2-3b', 'a/b/llama-3.2-3b.gguf', 10)),
      lmstudio(inLMStudio('llama-3.2-3b', 'c/d/Llama-3.2-3B-Q8_0.gguf', 20), inLMStudio('phi-4', 'e/f/phi-4.gguf')),
    ]);
    expect(entries.map((entry) => [entry.key, entry.backendId, entry.backendKey])).toEqual([
      ['llama-3.2-3b', 'embedded', undefined],
      ['llama-3.2-3b@lmstudio', 'lmstudio', 'llama-3.2-3b'],
      ['phi-4', 'lmstudio', undefined],
    ]);
  });

  it('lists a file on disk once when LM Studio is not there, keyed as when it is', () => {
    const [entry] = mergeListings([disk(onDisk('Qwen2.5-7B-Instruct-Q4_K_M', QWEN_FILE))]);
    expect(entry).toMatchObject({key: 'Qwen2.5-7B-Instruct-Q4_K_M', backendId: 'embedded', sources: [{kind: 'embedded'}]});
  });

  it('does not carry the embedded engine\'s verdict on a file over to LM Studio running it', () => {
    const [entry] = mergeListings([
      disk(onDisk('qwen', QWEN_FILE, 1000, {unusable: 'the engine crashed while loading it'})),
      lmstudio(inLMStudio('qwen-lms', QWEN_FILE)),
    ]);
    expect(entry?.backendId).toBe('lmstudio');
    expect(entry?.unusable).toBeUndefined();
  });
});
