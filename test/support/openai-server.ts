import {mkdtemp, rm, symlink} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type {AddressInfo, Socket} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {ModelHandle} from '../../src/backends/backend.js';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
import type {ChatMessage, ModelInfo, Role} from '../../src/domain.js';
import {TEST_MODELS, type TestModelKey} from './models.js';

// An OpenAI-compatible server for tests (llama-server, vLLM, Ollama's /v1 as mai sees them): node:http
// on 127.0.0.1, a port of its own, `/v1/models`, `/v1/chat/completions` (SSE stream or one JSON
// answer) and llama-server's `/tokenize`, answered by the real embedded engine on GGUF files, so
// replies, usage and token counts are real. Faults make it fail the ways real servers and the
// networks in front of them do. Each server has its own engine: two of them are two hosts.

export type OpenAIServerFaults = {
  /** Stop listening (the host went away); clearing it listens again on the same port. */
  refuse?: boolean;
  /** Answer 401 unless the request carries `Authorization: Bearer <requireKey>`. */
  requireKey?: string;
  /** Wait this long after the headers before the first token. */
  slowFirstTokenMs?: number;
  /** Destroy the socket after this many chunks of a streamed reply. */
  dropAfterChunks?: number;
  /** Send nothing more after this many chunks, socket left open (a server that hung mid-reply). */
  stallAfterChunks?: number;
  /** After the first chunk of a streamed reply, send a `data:` line that is not JSON. */
  malformedLine?: boolean;
  /** Answer a streamed reply with a 200 text/html page (a captive portal, a proxy's login page). */
  wrongContentType?: boolean;
  /** Answer every /v1 request with a 500 and an HTML body (a reverse proxy whose upstream died). */
  html500?: boolean;
  /** No `/tokenize` endpoint (vLLM without it, Ollama, LM Studio): 404. */
  noTokenize?: boolean;
};

/** How `/v1/models` describes each model: the fields real servers add to OpenAI's minimal entry. */
export type ModelListing = 'llama-server' | 'vllm' | 'plain';

export type OpenAIServerOptions = {
  /** Forged test models to serve (needs vitest's `modelDir`); or give `modelsDir`. */
  readonly models?: readonly TestModelKey[];
  /** A folder of GGUF files to serve instead (benchmarks, outside vitest). */
  readonly modelsDir?: string;
  readonly faults?: OpenAIServerFaults;
  /** 0 (default): a free port. */
  readonly port?: number;
  readonly listing?: ModelListing;
  readonly threads?: number;
  /** Serve https with the self-signed test certificate (test/support/tls/). */
  readonly tls?: boolean;
  /**
   * Load every model before listening, as llama-server loads its model at start; without it a model
   * loads on its first request, as llama-swap and Ollama do, and its first token waits for the load.
   */
  readonly preload?: boolean;
};

export type OpenAIServer = {
  /** `http://127.0.0.1:<port>` (https with `tls`; without /v1: the backend accepts both). */
  readonly url: string;
  readonly port: number;
  setFaults(faults: OpenAIServerFaults): void;
  /** Every request as `METHOD /path`, in order. */
  readonly requests: readonly string[];
  /** Every Authorization header received, for checking what a client sent. */
  readonly authorizations: readonly string[];
  /** Stops listening and drops every connection (the host goes away); the engine stays. */
  goAway(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
};

type Body = {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: {include_usage?: unknown} | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  temperature?: unknown;
  content?: unknown;
  prompt?: unknown;
};

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const ROLES = new Set<Role>(['system', 'user', 'assistant']);

const HTML_500 =
  '<!DOCTYPE html>\n<html>\n<head><title>500 Internal Server Error</title></head>\n<body>\n<center><h1>500 Internal Server Error</h1></center>\n<hr><center>nginx/1.25.3</center>\n</body>\n</html>\n';

/** Ends early when the client goes away, so that a slow reply does not hold the model's turn. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true});
  });

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const own = options.modelsDir ? null : await linkTestModels(options.models ?? ['tiny']);
  const modelsDir = options.modelsDir ?? (own as string);
  const engine = new EmbeddedBackend({
    id: 'openai-server-engine',
    modelDirs: [modelsDir],
    threads: options.threads ?? 1,
    gpu: false,
    maxTokens: 1000,
    temperature: 0.7,
  });
  const server = new OpenAIServerState(engine, options.listing ?? 'llama-server', options.faults ?? {}, options.tls ? selfSignedIdentity() : null);
  if (options.preload) await server.preload();
  await server.listen(options.port ?? 0);
  const port = server.port;
  if (options.faults?.refuse) await server.goAway();
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests: server.requests,
    authorizations: server.authorizations,
    setFaults: (faults) => server.setFaults(faults),
    goAway: () => server.goAway(),
    comeBack: () => server.comeBack(),
    close: async () => {
      await server.close();
      if (own) await rm(own, {recursive: true, force: true});
    },
  };
}

/** A folder of symlinks to the forged models, so that the engine lists exactly these. */
async function linkTestModels(models: readonly TestModelKey[]): Promise<string> {
  // Imported here only: benchmarks use this server outside vitest, with a folder of their own.
  const {inject} = await import('vitest');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mai-openai-server-'));
  for (const model of models) {
    const file = TEST_MODELS[model].fileName;
    await symlink(path.join(inject('modelDir'), file), path.join(dir, file));
  }
  return dir;
}

/** A throw-away identity for 127.0.0.1 that no one trusts: only for tests of TLS verification. */
function selfSignedIdentity(): {key: Buffer; cert: Buffer} {
  const dir = new URL('../../../test/support/tls/', import.meta.url);
  // Compiled, this file runs from dist/test/support; the PEM files stay in the source tree.
  const from = import.meta.url.includes('/dist/') ? dir : new URL('./tls/', import.meta.url);
  return {key: readFileSync(new URL('self-signed-key.pem', from)), cert: readFileSync(new URL('self-signed-cert.pem', from))};
}

class OpenAIServerState {
  readonly requests: string[] = [];
  readonly authorizations: string[] = [];
  port = 0;
  private faults: OpenAIServerFaults;
  private http: http.Server | https.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly handles = new Map<string, Promise<ModelHandle>>();
  /** One reply at a time per model, as one llama-server slot: a request waits for the one before. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: EmbeddedBackend,
    private readonly listing: ModelListing,
    faults: OpenAIServerFaults,
    private readonly identity: {key: Buffer; cert: Buffer} | null,
  ) {
    this.faults = {...faults};
  }

  async listen(port: number): Promise<void> {
    const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, {error: {message: String(error), type: 'server_error'}});
        else response.destroy();
      });
    };
    const server = this.identity ? https.createServer(this.identity, listener) : http.createServer(listener);
    server.on(this.identity ? 'secureConnection' : 'connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.http = server;
    this.port = (server.address() as AddressInfo).port;
  }

  setFaults(faults: OpenAIServerFaults): void {
    const wasRefusing = this.faults.refuse === true;
    this.faults = {...faults};
    if (faults.refuse && !wasRefusing) void this.goAway();
    if (!faults.refuse && wasRefusing) void this.comeBack();
  }

  goAway(): Promise<void> {
    this.faults = {...this.faults, refuse: true};
    this.transition = this.transition.then(async () => {
      const server = this.http;
      this.http = null;
      if (!server) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    });
    return this.transition;
  }

  comeBack(): Promise<void> {
    this.faults = {...this.faults, refuse: false};
    this.transition = this.transition.then(async () => {
      if (!this.http) await this.listen(this.port);
    });
    return this.transition;
  }

  async close(): Promise<void> {
    await this.goAway();
    await this.engine.dispose();
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.requests.push(`${request.method} ${url.pathname}`);
    const authorization = request.headers.authorization;
    if (authorization) this.authorizations.push(authorization);
    const {requireKey, html500, noTokenize} = this.faults;
    if (requireKey !== undefined && authorization !== `Bearer ${requireKey}`) {
      // Like OpenAI's own answer, it echoes the key it was given: a client must not show this text.
      const given = authorization?.replace(/^Bearer\s+/i, '') ?? '';
      sendJson(response, 401, {error: {message: `Incorrect API key provided: ${given}`, type: 'invalid_request_error', code: 'invalid_api_key'}});
      return;
    }
    if (html500 && url.pathname.startsWith('/v1/')) {
      response.writeHead(500, {'content-type': 'text/html'});
      response.end(HTML_500);
      return;
    }
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /v1/models') return sendJson(response, 200, {object: 'list', data: (await this.models()).map((m) => this.entry(m))});
    if (route === 'GET /health') return sendJson(response, 200, {status: 'ok'});
    if (route === 'POST /tokenize' && !noTokenize) return this.tokenize(await readBody(request), response);
    if (route === 'POST /v1/chat/completions') return this.chat(await readBody(request), request, response);
    sendJson(response, 404, {error: {message: `File Not Found: ${url.pathname}`, type: 'not_found_error'}});
  }

  private async models(): Promise<ModelInfo[]> {
    return (await this.engine.listModels()).filter((model) => !model.unusable);
  }

  private entry(model: ModelInfo): Record<string, unknown> {
    const base = {id: model.key, object: 'model', created: 1_700_000_000, owned_by: 'mai-test'};
    if (this.listing === 'vllm') return {...base, root: model.key, max_model_len: model.contextLength};
    if (this.listing === 'plain') return base;
    return {...base, meta: {n_ctx_train: model.contextLength, n_params: model.params ?? 0, size: model.sizeBytes, vocab_type: 1}};
  }

  async preload(): Promise<void> {
    for (const model of await this.models()) this.handles.set(model.key, Promise.resolve(await this.engine.load(model.key, {contextLength: model.contextLength})));
  }

  /** The model a request names (loaded on first use, as llama-swap does), or a 404 already sent. */
  private async model(name: unknown, response: http.ServerResponse): Promise<ModelHandle | null> {
    // A model already loaded needs no look at the folder (a scan per request would count in every
    // time to first token the benchmark measures).
    const loaded = typeof name === 'string' ? this.handles.get(name) : undefined;
    if (loaded) return loaded;
    const models = await this.models();
    const model = typeof name === 'string' ? models.find((m) => m.key === name) : models[0];
    if (!model) {
      sendJson(response, 404, {error: {message: `model '${String(name)}' not found`, type: 'not_found_error'}});
      return null;
    }
    let handle = this.handles.get(model.key);
    if (!handle) {
      handle = this.engine.load(model.key, {contextLength: model.contextLength});
      this.handles.set(model.key, handle);
      handle.catch(() => this.handles.delete(model.key));
    }
    return handle;
  }

  private async tokenize(body: Body, response: http.ServerResponse): Promise<void> {
    const handle = await this.model(body.model, response);
    if (!handle) return;
    const text = typeof body.content === 'string' ? body.content : String(body.prompt ?? '');
    const count = await this.engine.countTokens(handle, text);
    // The engine counts with the model's tokenizer but does not hand out the ids: the count is what
    // clients read, the ids stand in for it (llama-server's shape: {tokens: [...]}).
    sendJson(response, 200, {tokens: Array.from({length: count}, (_, i) => i)});
  }

  private async chat(body: Body, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const messages = toMessages(body.messages);
    if (!messages) return sendJson(response, 400, {error: {message: "'messages' must be a list of {role, content}", type: 'invalid_request_error'}});
    const handle = await this.model(body.model, response);
    if (!handle) return;
    const maxTokens = numberOr(body.max_completion_tokens, numberOr(body.max_tokens, undefined));
    const temperature = numberOr(body.temperature, undefined);
    const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
    const model = handle.key;
    const generation = new AbortController();
    // The client went away (its abort, or a dropped socket): stop generating, as llama-server does.
    response.on('close', () => generation.abort());

    const previous = this.queues.get(model) ?? Promise.resolve();
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    this.queues.set(model, previous.then(() => turn));
    await previous;
    try {
      if (generation.signal.aborted) return;
      if (body.stream !== true) {
        const result = await this.engine.respond(handle, messages, {signal: generation.signal, ...(maxTokens ? {maxTokens} : {}), ...(temperature !== undefined ? {temperature} : {})});
        sendJson(response, 200, {
          id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{index: 0, message: {role: 'assistant', content: result.text}, finish_reason: finishReason(result.stats.stopReason)}],
          usage: usage(result.stats.tokensIn, result.stats.tokensOut),
        });
        return;
      }
      await this.stream(response, {id, model, handle, messages, maxTokens, temperature, includeUsage: body.stream_options?.include_usage === true, signal: generation.signal, abort: () => generation.abort()});
    } finally {
      release();
    }
  }

  private async stream(
    response: http.ServerResponse,
    reply: {
      id: string;
      model: string;
      handle: ModelHandle;
      messages: ChatMessage[];
      maxTokens: number | undefined;
      temperature: number | undefined;
      includeUsage: boolean;
      signal: AbortSignal;
      abort: () => void;
    },
  ): Promise<void> {
    const faults = this.faults;
    if (faults.wrongContentType) {
      response.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
      response.end('<html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>');
      return;
    }
    response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      id: reply.id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: reply.model,
      choices: [{index: 0, delta, finish_reason: finish}],
    });
    const send = (data: unknown) => {
      if (!response.destroyed) response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    };
    // llama-server and vLLM open with the role and no text.
    send(chunk({role: 'assistant', content: ''}));
    if (faults.slowFirstTokenMs) await sleep(faults.slowFirstTokenMs, reply.signal);
    let chunks = 0;
    let dropped = false;
    let stalled = false;
    const result = await this.engine.respond(reply.handle, reply.messages, {
      signal: reply.signal,
      ...(reply.maxTokens ? {maxTokens: reply.maxTokens} : {}),
      ...(reply.temperature !== undefined ? {temperature: reply.temperature} : {}),
      onText: (text) => {
        if (dropped || stalled || reply.signal.aborted) return;
        send(chunk({content: text}));
        chunks += 1;
        if (faults.stallAfterChunks !== undefined && chunks >= faults.stallAfterChunks) stalled = true;
        if (faults.malformedLine && chunks === 1) send('{"choices": [{"delta": {"content": "cut');
        if (faults.dropAfterChunks !== undefined && chunks >= faults.dropAfterChunks) {
          dropped = true;
          reply.abort();
          response.socket?.destroy();
        }
      },
    });
    if (dropped || response.destroyed) return;
    // Hung: the client's timeout ends it (its going away aborts the generation above).
    if (stalled) return;
    send(chunk({}, finishReason(result.stats.stopReason)));
    if (reply.includeUsage) send({id: reply.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: reply.model, choices: [], usage: usage(result.stats.tokensIn, result.stats.tokensOut)});
    send('[DONE]');
    response.end();
  }
}

function finishReason(stopReason: string): string {
  return stopReason === 'maxTokens' ? 'length' : 'stop';
}

function usage(tokensIn: number, tokensOut: number): Record<string, number> {
  return {prompt_tokens: tokensIn, completion_tokens: tokensOut, total_tokens: tokensIn + tokensOut};
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function toMessages(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value)) return null;
  const messages: ChatMessage[] = [];
  for (const item of value as {role?: unknown; content?: unknown}[]) {
    if (!ROLES.has(item?.role as Role) || typeof item.content !== 'string') return null;
    messages.push({role: item.role as Role, content: item.content});
  }
  return messages;
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text)});
  response.end(text);
}

function readBody(request: http.IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else parts.push(part);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Body);
      } catch {
        resolve({});
      }
    });
    request.on('error', reject);
  });
}
