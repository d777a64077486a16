import {describe, expect, it} from 'vitest';
import type {ModelInfo} from '../../src/domain.js';
import {mergeListings, type BackendListing} from '../../src/manager/catalog-merge.js';
import {toEntry} from '../../src/manager/catalog.js';

// The same model on two hosts is one entry with a source per host: this machine's first, then the
// hosts in the order mai lists them (by priority).

function served(key: string, host: string | undefined, backendId: string): ModelInfo {
  return {key, backendId, ...(host ? {host} : {}), displayName: key, sizeBytes: 0, contextLength: 8192, demo: false};
}
const listing = (backendId: string, kind: BackendListing['kind'], ...infos: ModelInfo[]): BackendListing => ({backendId, kind, infos});

describe('mergeListings across hosts', () => {
  it('one entry for a model two hosts serve, run by the first host listed', () => {
    const entries = mergeListings([
      listing('openai:gpu-box', 'openai', served('qwen2.5-72b-instruct', 'gpu-box', 'openai:gpu-box')),
      listing('openai:team', 'openai', served('Qwen2.5-72B-Instruct', 'team', 'openai:team'), served('llama-3.1-8b', 'team', 'openai:team')),
    ]);
    expect(entries.map((entry) => [entry.key, entry.host, entry.backendId, entry.sources?.map((source) => `${source.key}@${source.host}`)])).toEqual([
      ['qwen2.5-72b-instruct', 'gpu-box', 'openai:gpu-box', ['qwen2.5-72b-instruct@gpu-box', 'Qwen2.5-72B-Instruct@team']],
      ['llama-3.1-8b', 'team', 'openai:team', ['llama-3.1-8b@team']],
    ]);
  });

  it('a model this machine has too runs here first, with the host as its second source', () => {
    const file: ModelInfo = {...served('mai-demo-small', undefined, 'embedded'), path: '/m/mai-demo-small.gguf', sizeBytes: 5e6};
    const [entry, ...rest] = mergeListings([listing('openai:gpu-box', 'openai', served('mai-demo-small.gguf', 'gpu-box', 'openai:gpu-box')), listing('embedded', 'embedded', file)]);
    expect(rest).toEqual([]);
    expect(entry?.backendId).toBe('embedded');
    expect(entry?.host).toBeUndefined();
    expect(entry?.sources).toEqual([
      {backendId: 'embedded', kind: 'embedded', key: 'mai-demo-small'},
      {backendId: 'openai:gpu-box', kind: 'openai', key: 'mai-demo-small.gguf', host: 'gpu-box'},
    ]);
  });

  it('two models of one host stay two entries; one host never merges with itself', () => {
    const entries = mergeListings([listing('openai:a', 'openai', served('m', 'a', 'openai:a'), served('M', 'a', 'openai:a'))]);
    expect(entries.map((entry) => entry.key)).toEqual(['m', 'M']);
  });
});

describe('a remote model in the catalogue', () => {
  const context = {settingsFor: () => undefined, contextLength: 4096, availableBytes: 1024 ** 3, headroomBytes: 1024 ** 3};
  const big = {...served('llama-3.1-70b', 'gpu-box', 'openai:gpu-box'), params: 70e9};

  it('fits by its host: unknown without a memory report, not this machine\'s 1 GiB', () => {
    const entry = toEntry(big, {...context, hosts: {local: {health: 'up'}, 'gpu-box': {health: 'up'}}});
    expect(entry).toMatchObject({tier: 'large', fits: true, fitUnknown: true});
  });

  it('does not fit while its host is down', () => {
    expect(toEntry(big, {...context, hosts: {local: {health: 'up'}, 'gpu-box': {health: 'down'}}}).fits).toBe(false);
  });
});
