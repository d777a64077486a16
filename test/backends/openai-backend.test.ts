import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import type {ConnectionState} from '../../src/domain.js';
import type {ModelHandle} from '../../src/backends/backend.js';
import {isModelError, type ModelError} from '../../src/backends/model-error.js';
import {OpenAIBackend, type OpenAIBackendOptions} from '../../src/backends/openai/openai-backend.js';
import {DEFAULT_REMOTE_CONTEXT} from '../../src/backends/openai/openai-models.js';
import {openEventLog} from '../../src/util/log.js';
import {TEST_MODELS} from '../support/models.js';
import {startOpenAIServer, type OpenAIServer, type OpenAIServerFaults} from '../support/openai-server.js';
import {keyOf} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// The OpenAI-compatible backend against the OpenAI test server (the real engine behind node:http):
// what a user sees when a host answers, fails, goes away and comes back. Every failure must be one
// clean line of the right kind, with no key and no HTML in it.

// Timeouts that only a broken connection reaches (none is a timing assertion).
// The first token may wait for a model's lazy load on a busy machine (the second host below).
const PATIENT = {connectMs: 30_000, firstTokenMs: 50_000, betweenChunksMs: 30_000};

let server: OpenAIServer;
const backends: OpenAIBackend[] = [];

function backendFor(target: OpenAIServer, options: Partial<OpenAIBackendOptions> = {}): OpenAIBackend {
  const backend = new OpenAIBackend({id: 'openai:gpu-box', host: 'gpu-box', baseURL: target.url, maxTokens: 64, temperature: 0.7, timeouts: PATIENT, ...options});
  backends.push(backend);
  return backend;
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isModelError(error), `expected a ModelError, got ${String(error)}`).toBe(true);
  return error as ModelError;
}

/** What the user reads: one line, short, no markup. */
function expectOneCleanLine(message: string): void {
  expect(message).not.toMatch(/[\n\r]/);
  expect(message.length).toBeLessThanOrEqual(200);
  expect(message).not.toMatch(/<\/?(html|body|head|title|h1)\b/i);
}

beforeAll(async () => {
  server = await startOpenAIServer({models: ['tiny', 'looping'], preload: true});
});

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const backend of backends.splice(0)) await backend.dispose();
  server.setFaults({});
  await server.comeBack();
});

afterAll(async () => {
  await server?.close();
});

describe('listing and replies', () => {
  it("lists the host's models with the context length the server reports, on this host, and measures its latency", async () => {
    const backend = backendFor(server);
    expect(await backend.available()).toBe(true);
    const models = await backend.listModels();
    expect(models.map((model) => model.key).sort()).toEqual([keyOf('looping'), keyOf('tiny')].sort());
    expect(models.find((model) => model.key === keyOf('tiny'))).toMatchObject({
      backendId: 'openai:gpu-box',
      host: 'gpu-box',
      contextLength: TEST_MODELS.tiny.spec?.contextLength,
      demo: false,
    });
    const status = backend.connection.status();
    expect(status.state).toBe('connected');
    expect(status.url).toBe(`${server.url}/v1`);
    expect(status.latencyMs).toEqual(expect.any(Number));
  });

  it("streams a reply with the server's usage and a time to first token that waits for the first text", async () => {
    const backend = backendFor(server);
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    expect(handle).toMatchObject({key: keyOf('tiny'), contextLength: 256, ownedByMai: false});
    server.setFaults({slowFirstTokenMs: 300});
    const chunks: string[] = [];
    const result = await backend.respond(handle, [{role: 'user', content: 'Hello there'}], {onText: (chunk) => chunks.push(chunk)});
    expect(result.text).toBe(TEST_MODELS.tiny.message);
    expect(chunks.join('')).toBe(result.text);
    expect(result.stats.stopReason).toBe('eos');
    expect(result.stats.tokensIn).toBeGreaterThan(0);
    expect(result.stats.tokensOut).toBeGreaterThan(3);
    // The server sends its role chunk at once and the text 300 ms later: the first token is the text.
    expect(result.stats.timeToFirstTokenMs).toBeGreaterThanOrEqual(300);
    expect(result.stats.totalMs).toBeGreaterThanOrEqual(result.stats.timeToFirstTokenMs);
  });

  it('stops a reply on abort mid-stream, keeps the text so far, and the host answers the next request', async () => {
    const backend = backendFor(server);
    const handle = await backend.load(keyOf('looping'), {contextLength: 512});
    const controller = new AbortController();
    let streamed = '';
    let pieces = 0;
    const result = await backend.respond(handle, [{role: 'user', content: 'go'}], {
      maxTokens: 100_000,
      signal: controller.signal,
      onText: (chunk) => {
        streamed += chunk;
        pieces += 1;
        if (pieces === 3) controller.abort();
      },
    });
    expect(result.stats.stopReason).toBe('aborted');
    expect(pieces).toBe(3);
    expect(result.text).toBe(streamed);
    const message = TEST_MODELS.looping.message ?? '';
    expect(message.startsWith(result.text.slice(0, message.length))).toBe(true);
    const again = await backend.respond(handle, [{role: 'user', content: 'again'}], {maxTokens: 5});
    expect(again.stats.stopReason).toBe('maxTokens');
    expect(again.text).not.toBe('');
  });

  it('fails a load of a model the host does not list as not-found, and a reply on a released handle too', async () => {
    const backend = backendFor(server);
    const missing = await failure(backend.load('no-such-model', {contextLength: 256}));
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toBe('gpu-box does not serve a model named no-such-model');
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    await backend.unload(handle);
    expect(await backend.listLoaded()).toEqual([]);
    expect((await failure(backend.respond(handle, [{role: 'user', content: 'hi'}]))).kind).toBe('not-found');
  });
});

type FaultCase = {
  readonly name: string;
  readonly faults: OpenAIServerFaults;
  readonly timeouts?: Partial<typeof PATIENT>;
  /** What fails: the reply (default) or the model list. */
  readonly call?: 'respond' | 'listModels';
  readonly kind: ModelError['kind'];
  readonly says: RegExp;
  readonly never?: RegExp;
};

const FAULTS: readonly FaultCase[] = [
  // Refused, or lost when the request went out on a kept-alive socket the server had just closed.
  {name: 'the host stops listening', faults: {refuse: true}, call: 'listModels', kind: 'backend-gone', says: /^gpu-box went away during listing models \(connection (refused|lost)\)$/},
  {name: 'the socket drops mid-stream', faults: {dropAfterChunks: 2}, kind: 'backend-gone', says: /^gpu-box went away during the reply of test-tiny/},
  {name: 'a 500 with an HTML body, on a reply', faults: {html500: true}, kind: 'crashed', says: /^gpu-box answered 500 Internal Server Error to the reply of test-tiny/, never: /nginx/},
  {name: 'a 500 with an HTML body, on the model list', faults: {html500: true}, call: 'listModels', kind: 'crashed', says: /^gpu-box answered 500 Internal Server Error to listing models$/},
  {name: 'a page instead of an event stream', faults: {wrongContentType: true}, kind: 'crashed', says: /^gpu-box did not answer with an event stream \(content-type: text\/html/, never: /sign in/i},
  {name: 'a malformed SSE line', faults: {malformedLine: true}, kind: 'crashed', says: /^gpu-box sent something that is not JSON during the reply of test-tiny$/, never: /cut/},
  {name: 'a first token that never comes', faults: {slowFirstTokenMs: 60_000}, timeouts: {firstTokenMs: 300}, kind: 'timeout', says: /^gpu-box sent nothing for 300 ms for the first token/},
  {name: 'a reply that stops mid-way', faults: {stallAfterChunks: 2}, timeouts: {betweenChunksMs: 300}, kind: 'timeout', says: /^gpu-box sent nothing for 300 ms between chunks/},
];

describe('faults: each is one clean line of the right kind', () => {
  it.each(FAULTS)('$name → $kind', async ({faults, timeouts, call = 'respond', kind, says, never}) => {
    const backend = backendFor(server, {timeouts: {...PATIENT, ...timeouts}});
    let handle: ModelHandle | null = null;
    if (call === 'respond') handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    if (faults.refuse) await server.goAway();
    server.setFaults(faults);
    const error = await failure(handle ? backend.respond(handle, [{role: 'user', content: 'Hello'}]) : backend.listModels());
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(says);
    if (never) expect(error.message).not.toMatch(never);
    expectOneCleanLine(error.message);
  });

  it('a refused key: the variable is named, the key is in no message, no status and no log line', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'mai-openai-log-'));
    const logFile = path.join(home, 'events.log');
    const log = openEventLog(logFile);
    const wrongKey = 'sk-wrong-0123456789abcdef';
    server.setFaults({requireKey: 'sk-right-key'});
    try {
      const backend = backendFor(server, {apiKey: wrongKey, apiKeyVar: 'GPU_BOX_KEY', log});
      expect(await backend.available()).toBe(false);
      const error = await failure(backend.listModels());
      expect(error.message).toBe('gpu-box refused the key in $GPU_BOX_KEY (401 Unauthorized)');
      expect(backend.connection.status()).toMatchObject({state: 'error', detail: error.message});
      // The server did get the key, and echoed it in its answer: mai showed neither.
      expect(server.authorizations).toContain(`Bearer ${wrongKey}`);
      log.close();
      const logged = await readFile(logFile, 'utf8');
      expect(logged).toContain('host-connection');
      expect(logged).not.toContain(wrongKey);

      const right = backendFor(server, {apiKey: 'sk-right-key'});
      expect((await right.listModels()).length).toBe(2);
    } finally {
      await rm(home, {recursive: true, force: true});
    }
  });

  it("sends no key without one: not even the environment's OPENAI_API_KEY, meant for OpenAI", async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-env-secret-for-openai');
    const before = server.authorizations.length;
    const backend = backendFor(server);
    await backend.listModels();
    expect(server.requests.at(-1)).toBe('GET /v1/models');
    expect(server.authorizations.slice(before)).toEqual([]);
  });
});

describe('the connection', () => {
  it('goes reconnecting when the host stops, and connected again when it is back on the same port', async () => {
    const backend = backendFor(server, {reconnect: {initialMs: 50, maxMs: 200, heartbeatMs: 100}});
    const states: ConnectionState[] = [];
    backend.connection.onStatus((status) => states.push(status.state));
    expect(await backend.available()).toBe(true);
    backend.connection.watch();
    await server.goAway();
    await waitFor(() => backend.connection.status().state === 'reconnecting', {what: 'the heartbeat to notice the host went away'});
    expect(backend.connection.status().detail).toBe('gpu-box went away during listing models (connection refused)');
    await server.comeBack();
    await waitFor(() => backend.connection.status().state === 'connected', {what: 'the reconnection'});
    expect(states.slice(states.indexOf('reconnecting'))).toContain('connected');
    expect(backend.connection.status()).toMatchObject({detail: null, latencyMs: expect.any(Number)});
    // And it works again.
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    expect((await backend.respond(handle, [{role: 'user', content: 'back?'}])).text).toBe(TEST_MODELS.tiny.message);
  });

  it("a host that was never there is not-running, not reconnecting", async () => {
    const gone = await startOpenAIServer({models: [], faults: {refuse: true}});
    try {
      const backend = backendFor(gone);
      expect(await backend.available()).toBe(false);
      expect(backend.connection.status()).toMatchObject({state: 'not-running', detail: 'gpu-box went away during listing models (connection refused)'});
    } finally {
      await gone.close();
    }
  });
});

describe('token counts', () => {
  it("uses the host's /tokenize where it has one", async () => {
    const backend = backendFor(server);
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    const short = await backend.countTokens(handle, 'hi');
    const long = await backend.countTokens(handle, 'a much longer sentence that has many more tokens in it');
    expect(long).toBeGreaterThan(short);
    expect(backend.tokenCountsEstimated()).toBe(false);
    expect(server.requests).toContain('POST /tokenize');
  });

  it('estimates where the host has no tokenizer endpoint, and says so', async () => {
    server.setFaults({noTokenize: true});
    const backend = backendFor(server);
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    const text = 'a much longer sentence that has many more tokens in it';
    expect(await backend.countTokens(handle, text)).toBe(Math.ceil(text.length / 4));
    expect(backend.tokenCountsEstimated()).toBe(true);
  });
});

describe('several hosts', () => {
  it('two servers on different ports are two hosts, each with its own models, answering at once', async () => {
    const other = await startOpenAIServer({models: ['tiny'], listing: 'vllm'});
    try {
      expect(other.port).not.toBe(server.port);
      const a = backendFor(server, {id: 'openai:a', host: 'a'});
      const b = backendFor(other, {id: 'openai:b', host: 'b'});
      const [modelsA, modelsB] = await Promise.all([a.listModels(), b.listModels()]);
      expect(modelsA.map((m) => m.host)).toEqual(['a', 'a']);
      // vLLM reports max_model_len.
      expect(modelsB).toEqual([expect.objectContaining({key: keyOf('tiny'), host: 'b', backendId: 'openai:b', contextLength: TEST_MODELS.tiny.spec?.contextLength})]);
      const [handleA, handleB] = await Promise.all([a.load(keyOf('tiny'), {contextLength: 256}), b.load(keyOf('tiny'), {contextLength: 256})]);
      const [replyA, replyB] = await Promise.all([
        a.respond(handleA, [{role: 'user', content: 'one'}]),
        b.respond(handleB, [{role: 'user', content: 'two'}]),
      ]);
      expect([replyA.text, replyB.text]).toEqual([TEST_MODELS.tiny.message, TEST_MODELS.tiny.message]);
    } finally {
      await other.close();
    }
  });

  it('a server that reports no context length gets the documented default', async () => {
    const plain = await startOpenAIServer({models: ['tiny'], listing: 'plain'});
    try {
      const [model] = await backendFor(plain).listModels();
      expect(model).toMatchObject({key: keyOf('tiny'), contextLength: DEFAULT_REMOTE_CONTEXT});
    } finally {
      await plain.close();
    }
  });
});

describe('TLS', () => {
  let secure: OpenAIServer;
  beforeAll(async () => {
    secure = await startOpenAIServer({models: ['tiny', 'looping'], tls: true, preload: true});
  });
  afterAll(async () => {
    await secure?.close();
  });

  it('refuses a self-signed certificate by default, in one line', async () => {
    const error = await failure(backendFor(secure).listModels());
    expect(error.kind).toBe('backend-gone');
    expect(error.message).toMatch(/^gpu-box: the TLS certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expectOneCleanLine(error.message);
  });

  it('streams and aborts through it when verification is off for this host only', async () => {
    const backend = backendFor(secure, {tlsVerify: false});
    const handle = await backend.load(keyOf('tiny'), {contextLength: 256});
    const chunks: string[] = [];
    const result = await backend.respond(handle, [{role: 'user', content: 'Hello'}], {onText: (chunk) => chunks.push(chunk)});
    expect(result.text).toBe(TEST_MODELS.tiny.message);
    expect(chunks.join('')).toBe(result.text);
    expect(result.stats).toMatchObject({stopReason: 'eos', tokensOut: expect.any(Number)});

    const looping = await backend.load(keyOf('looping'), {contextLength: 512});
    const controller = new AbortController();
    const aborted = await backend.respond(looping, [{role: 'user', content: 'go'}], {maxTokens: 100_000, signal: controller.signal, onText: () => controller.abort()});
    expect(aborted.stats.stopReason).toBe('aborted');
    expect(aborted.text).not.toBe('');
    // Another host, verification on, still refuses the same certificate.
    expect((await failure(backendFor(secure).listModels())).kind).toBe('backend-gone');
  });
});
