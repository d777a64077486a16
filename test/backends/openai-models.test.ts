import {describe, expect, it} from 'vitest';
import {apiBaseURL, serverRoot} from '../../src/backends/openai/openai-client.js';
import {contextLengthOf, DEFAULT_REMOTE_CONTEXT, paramsFromId, quantFromId, toModelInfo} from '../../src/backends/openai/openai-models.js';

// What mai reads from a `/v1/models` entry of each server it meets, and the base URLs it accepts:
// pure functions, table tests.

describe('paramsFromId', () => {
  it.each([
    ['qwen2.5:7b', 7e9],
    ['Llama-3.1-70B-Instruct', 70e9],
    ['llama-3.1-8b-instruct-q4_k_m', 8e9],
    ['qwen2.5-0.5b-instruct', 0.5e9],
    ['Mixtral-8x7B-Instruct-v0.1', 56e9],
    ['smollm-360m', 360e6],
    ['mistralai/Mistral-7B-Instruct-v0.3', 7e9],
    ['phi3_3.8B', 3.8e9],
  ])('%s → %d', (id, params) => {
    expect(paramsFromId(id)).toBeCloseTo(params, -3);
  });

  it.each(['gpt-4o', 'llama3', 'qwen2.5-coder', 'model-v2b-beta', 'embed-ab'])('%s → none', (id) => {
    expect(paramsFromId(id)).toBeUndefined();
  });
});

describe('quantFromId', () => {
  it.each([
    ['llama-3.1-8b-instruct-q4_k_m', 'Q4_K_M'],
    ['qwen2.5:7b-instruct-q8_0', 'Q8_0'],
    ['model-IQ3_XS', 'IQ3_XS'],
    ['model.f16', 'F16'],
    ['qwen2.5:7b', undefined],
  ])('%s → %s', (id, quant) => {
    expect(quantFromId(id)).toBe(quant);
  });
});

describe('contextLengthOf', () => {
  it.each([
    ['llama-server', {id: 'm', meta: {n_ctx_train: 131072, n_params: 8e9}}, 131072],
    ['vLLM', {id: 'm', max_model_len: 32768}, 32768],
    ["LM Studio's REST API", {id: 'm', max_context_length: 8192}, 8192],
    ['a bare OpenAI entry', {id: 'm', object: 'model', owned_by: 'library'}, DEFAULT_REMOTE_CONTEXT],
    ['nonsense', {id: 'm', max_model_len: 'big', meta: {n_ctx_train: -1}}, DEFAULT_REMOTE_CONTEXT],
  ])('%s', (_server, entry, contextLength) => {
    expect(contextLengthOf(entry)).toBe(contextLength);
  });
});

describe('toModelInfo', () => {
  it("uses llama-server's own parameter count and size over the id's", () => {
    const info = toModelInfo({id: 'my-7b', meta: {n_ctx_train: 4096, n_params: 7_241_732_096, size: 4_368_438_976}}, 'openai:gpu-box', 'gpu-box');
    expect(info).toEqual({
      key: 'my-7b',
      backendId: 'openai:gpu-box',
      host: 'gpu-box',
      displayName: 'my-7b',
      sizeBytes: 4_368_438_976,
      params: 7_241_732_096,
      contextLength: 4096,
      demo: false,
    });
  });

  it('shows an id with control characters cleaned up, and keeps the real one to ask the server with', () => {
    const id = 'evil\u001b]0;pwned\u0007-13b';
    const info = toModelInfo({id}, 'openai:x', 'x');
    expect(info.key).toBe('evil-13b');
    expect(info.backendKey).toBe(id);
    expect(info.params).toBe(13e9);
  });
});

describe('base URLs', () => {
  it.each([
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080/v1', 'http://10.0.0.5:8080'],
    ['http://10.0.0.5:8080/', 'http://10.0.0.5:8080/v1', 'http://10.0.0.5:8080'],
    ['http://10.0.0.5:8080/v1', 'http://10.0.0.5:8080/v1', 'http://10.0.0.5:8080'],
    ['https://gpu.example.com/proxy/v1/', 'https://gpu.example.com/proxy/v1', 'https://gpu.example.com/proxy'],
    ['http://localhost:11434/v1', 'http://localhost:11434/v1', 'http://localhost:11434'],
  ])('%s', (given, api, root) => {
    expect(apiBaseURL(given)).toBe(api);
    expect(serverRoot(given)).toBe(root);
  });
});
