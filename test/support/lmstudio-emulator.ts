import {randomUUID} from 'node:crypto';
import {createServer, type Server} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {WebSocketServer, type RawData, type WebSocket} from 'ws';
import type {ModelHandle} from '../../src/models/backend.js';
import {EmbeddedBackend} from '../../src/models/embedded-backend.js';
import {errorMessage} from '../../src/models/errors.js';
import {
  configValue,
  historyToMessages,
  instanceInfoFor,
  LOAD_FAILED_ERROR,
  modelInfoFor,
  notFoundError,
  numericValue,
  type LMStudioInstanceInfo,
  type LMStudioModelInfo,
  type SerializedError,
} from './lmstudio-fixtures.js';

// A small LM Studio for tests: a WebSocket server that speaks @lmstudio/sdk 1.5.0's wire protocol
// (shared notes/lmstudio-sdk-1.5.0-protocol.md) and answers with the real embedded engine on GGUF
// files, so replies, token counts and context lengths are real. The SDK client is used unchanged.
// Faults can be injected; every `communicationWarning` a client sends (it does so when it cannot
// parse what we sent) is recorded, and tests fail on any they did not ask for.

const NAMESPACES = new Set(['llm', 'embedding', 'system', 'diagnostics', 'files', 'repository', 'plugins']);

export type Faults = {
  /** Accept TCP connections and drop them at once: nothing usable answers (greeting included). */
  refuseConnections?: boolean;
  /** Extra time a load takes, spread over progress steps before the engine loads. */
  loadDelayMs?: number;
  /** Loads fail with this LM Studio-style error (all models, or only `modelKey`). */
  failLoad?: {readonly modelKey?: string; readonly error?: SerializedError};
  /** The next prediction's socket is dropped after this many fragments (then the fault clears). */
  dropAfterFragments?: number;
  /** Wait this long before each fragment. */
  fragmentDelayMs?: number;
  /** The next message of this kind is sent malformed (then the fault clears). */
  malformed?: 'rpcResult' | 'fragment' | 'success';
};

export type EmulatorOptions = {
  /** LM Studio's models folder: every GGUF file under it is a "downloaded" model. */
  readonly modelsDir: string;
  readonly port?: number;
  readonly host?: string;
  /** LM Studio model keys by file key (file name without .gguf); default: the file key in lower case. */
  readonly modelKeys?: Readonly<Record<string, string>>;
  readonly version?: string;
  readonly threads?: number;
  readonly log?: (line: string) => void;
};

type Instance = {
  readonly info: LMStudioInstanceInfo;
  readonly handle: ModelHandle;
  readonly loadedBy: 'user' | 'client';
};

type Channel = {
  send(message: unknown): void;
  close(): void;
  fail(error: SerializedError): void;
  onMessage?: (message: {type?: string}) => void;
  readonly signal: AbortSignal;
  readonly connection: WebSocket;
};

class EmulatorError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.title);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true});
  });

export class LMStudioEmulator {
  faults: Faults = {};
  /** communicationWarning messages received from clients: each means a protocol mismatch. */
  readonly warnings: string[] = [];
  /** Every rpc and channel a client opened, as `namespace/endpoint`, in order. */
  readonly requests: string[] = [];
  /** WebSocket connections accepted (one per namespace per client connection). */
  connections = 0;
  /** TCP connections seen, greeting probes and refused ones included. */
  tcpConnections = 0;
  /** The last passkey a client authenticated with, for checking that mai never logs it. */
  lastClientPasskey: string | null = null;
  private readonly instances = new Map<string, Instance>();
  private readonly sockets = new Set<Socket>();
  private readonly engine: EmbeddedBackend;
  private readonly wss = new WebSocketServer({noServer: true});
  private server: Server;
  private port: number;

  private constructor(private readonly options: EmulatorOptions) {
    this.engine = new EmbeddedBackend({
      id: 'lmstudio-emulator-engine',
      modelDirs: [options.modelsDir],
      threads: options.threads ?? 1,
      gpu: false,
      maxTokens: 1000,
      temperature: 0.7,
    });
    this.port = options.port ?? 0;
    this.server = this.createHttpServer();
  }

  static async start(options: EmulatorOptions): Promise<LMStudioEmulator> {
    const emulator = new LMStudioEmulator(options);
    await emulator.listen();
    return emulator;
  }

  get url(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  count(endpoint: string): number {
    return this.requests.filter((request) => request === endpoint).length;
  }

  /** Loaded instances, with who loaded them: a test ("the user") or a client (mai). */
  loaded(): {identifier: string; modelKey: string; loadedBy: 'user' | 'client'; contextLength: number}[] {
    return [...this.instances.values()].map(({info, loadedBy}) => ({
      identifier: info.identifier,
      modelKey: info.modelKey,
      loadedBy,
      contextLength: info.contextLength,
    }));
  }

  /** Loads a model as a user would in LM Studio's UI; resolves with its identifier. */
  async loadAsUser(modelKey: string, contextLength?: number): Promise<string> {
    const instance = await this.loadInstance(modelKey, {contextLength, by: 'user'});
    return instance.info.identifier;
  }

  /** Unloads a model as a user would in LM Studio's UI. */
  async unloadAsUser(identifier: string): Promise<void> {
    const instance = this.instances.get(identifier);
    if (!instance) return;
    this.instances.delete(identifier);
    await this.engine.unload(instance.handle);
  }

  private createHttpServer(): Server {
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'GET' && request.url === '/lmstudio-greeting') {
        response.end(JSON.stringify({lmstudio: true}));
        return;
      }
      // LM Studio answers unknown paths with 200 and an error document.
      response.end(JSON.stringify({error: `Unexpected endpoint or method. (${request.method} ${request.url})`}));
    });
    server.on('connection', (socket) => {
      this.tcpConnections += 1;
      if (this.faults.refuseConnections) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (request, socket, head) => {
      const namespace = new URL(request.url ?? '/', 'http://emulator').pathname.slice(1);
      if (!NAMESPACES.has(namespace)) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.serve(ws, namespace));
    });
    return server;
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        this.options.log?.(`LM Studio emulator listening on ${this.url}`);
        resolve();
      });
    });
  }

  /** LM Studio quits: the port stops listening and every connection drops. Loaded models stay. */
  async goAway(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.wss.clients) client.terminate();
    await closed;
  }

  /** LM Studio is back, on the same port. */
  async comeBack(): Promise<void> {
    this.server = this.createHttpServer();
    await this.listen();
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.goAway();
    this.instances.clear();
    await this.engine.dispose();
  }

  // ---- the wire protocol ----

  private serve(ws: WebSocket, namespace: string): void {
    this.connections += 1;
    let authenticated = false;
    const channels = new Map<number, Channel>();
    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data: RawData) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        this.options.log?.(`invalid JSON from a client on /${namespace}`);
        return;
      }
      if (!authenticated) {
        const ok = message.authVersion === 1 && typeof message.clientIdentifier === 'string' && typeof message.clientPasskey === 'string';
        if (ok) this.lastClientPasskey = message.clientPasskey as string;
        authenticated = ok;
        send(ok ? {success: true} : {success: false, error: 'Invalid authentication packet'});
        return;
      }
      this.dispatch(namespace, message, send, channels, ws);
    });
    ws.on('close', () => {
      for (const channel of channels.values()) channel.close();
      channels.clear();
    });
  }

  private dispatch(
    namespace: string,
    message: Record<string, unknown>,
    send: (message: unknown) => void,
    channels: Map<number, Channel>,
    ws: WebSocket,
  ): void {
    switch (message.type) {
      case 'communicationWarning':
        this.warnings.push(String(message.warning));
        this.options.log?.(`client communicationWarning: ${String(message.warning)}`);
        return;
      case 'keepAlive':
        send({type: 'keepAliveAck'});
        return;
      case 'rpcCall': {
        const callId = message.callId as number;
        const endpoint = `${namespace}/${String(message.endpoint)}`;
        this.requests.push(endpoint);
        this.rpc(endpoint, message.parameter).then(
          (result) => {
            if (this.faults.malformed === 'rpcResult') {
              this.faults = {...this.faults, malformed: undefined};
              send({type: 'rpcResult', callId, result: [{modelKey: 42}]});
              return;
            }
            send({type: 'rpcResult', callId, result});
          },
          (error: unknown) => send({type: 'rpcError', callId, error: serialize(error)}),
        );
        return;
      }
      case 'channelCreate': {
        const channelId = message.channelId as number;
        const endpoint = `${namespace}/${String(message.endpoint)}`;
        this.requests.push(endpoint);
        const controller = new AbortController();
        let open = true;
        const channel: Channel = {
          send: (packet) => open && send({type: 'channelSend', channelId, message: packet}),
          close: () => {
            if (!open) return;
            open = false;
            controller.abort();
            channels.delete(channelId);
            send({type: 'channelClose', channelId});
          },
          fail: (error) => {
            if (!open) return;
            open = false;
            controller.abort();
            channels.delete(channelId);
            send({type: 'channelError', channelId, error});
          },
          signal: controller.signal,
          connection: ws,
        };
        channels.set(channelId, channel);
        this.openChannel(endpoint, message.creationParameter, channel).catch((error: unknown) => channel.fail(serialize(error)));
        return;
      }
      case 'channelSend': {
        const channel = channels.get(message.channelId as number);
        channel?.onMessage?.(message.message as {type?: string});
        return;
      }
      default:
        this.options.log?.(`unsupported message type ${String(message.type)} on /${namespace}`);
    }
  }

  private async rpc(endpoint: string, parameter: unknown): Promise<unknown> {
    const param = (parameter ?? {}) as Record<string, unknown>;
    switch (endpoint) {
      case 'system/version':
        return {version: this.options.version ?? '0.3.99-emulator', build: 1};
      case 'system/listDownloadedModels':
        return (await this.downloaded()).map(({info}) => info);
      case 'llm/listLoaded':
        return [...this.instances.values()].map((instance) => instance.info);
      case 'llm/unloadModel': {
        const instance = this.instances.get(String(param.identifier));
        if (!instance) throw new EmulatorError(notFoundError(`identifier "${String(param.identifier)}"`));
        this.instances.delete(instance.info.identifier);
        await this.engine.unload(instance.handle);
        return undefined;
      }
      case 'llm/getModelInfo': {
        const instance = this.find(param.specifier);
        if (!instance && param.throwIfNotFound) throw new EmulatorError(notFoundError('given specifier'));
        return instance?.info;
      }
      case 'llm/getLoadConfig': {
        const instance = this.require(param.specifier);
        return {fields: [{key: 'llm.load.contextLength', value: instance.info.contextLength}]};
      }
      case 'llm/countTokens': {
        const instance = this.require(param.specifier);
        return {tokenCount: await this.engine.countTokens(instance.handle, String(param.inputString))};
      }
      default:
        throw new EmulatorError({title: `The emulator does not implement ${endpoint}`});
    }
  }

  private async openChannel(endpoint: string, parameter: unknown, channel: Channel): Promise<void> {
    const param = (parameter ?? {}) as Record<string, unknown>;
    switch (endpoint) {
      case 'llm/loadModel': {
        channel.onMessage = (message) => {
          if (message.type === 'cancel') channel.fail({title: 'Model loading was cancelled'});
        };
        const instance = await this.loadInstance(String(param.modelKey), {
          identifier: typeof param.identifier === 'string' ? param.identifier : undefined,
          contextLength: numericValue(configValue(param.loadConfigStack, 'load.contextLength')),
          by: 'client',
          signal: channel.signal,
          onResolved: (info) => channel.send({type: 'resolved', info}),
          onProgress: (progress) => channel.send({type: 'progress', progress}),
        });
        channel.send({type: 'success', info: instance.info});
        channel.close();
        return;
      }
      case 'llm/getOrLoad': {
        const key = String(param.identifier);
        const existing = [...this.instances.values()].find((i) => i.info.identifier === key || i.info.modelKey === key);
        if (existing) {
          channel.send({type: 'alreadyLoaded', info: existing.info});
          channel.close();
          return;
        }
        channel.onMessage = (message) => {
          if (message.type === 'cancel') channel.fail({title: 'Model loading was cancelled'});
        };
        const instance = await this.loadInstance(key, {
          contextLength: numericValue(configValue(param.loadConfigStack, 'load.contextLength')),
          by: 'client',
          signal: channel.signal,
          onResolved: (info) => channel.send({type: 'startLoading', identifier: key, info}),
          onProgress: (progress) => channel.send({type: 'loadProgress', progress}),
        });
        channel.send({type: 'loadSuccess', info: instance.info});
        channel.close();
        return;
      }
      case 'llm/predict':
        return this.predict(param, channel);
      case 'system/alive':
        // Stays open until the socket closes: the SDK's whenDisconnected() listens on it.
        return;
      default:
        throw new EmulatorError({title: `The emulator does not implement ${endpoint}`});
    }
  }

  private async downloaded(): Promise<{info: LMStudioModelInfo; fileKey: string}[]> {
    // The engine's listing reads each GGUF header once and caches it by size and mtime.
    const headers = await this.engine.listModels();
    return headers
      .filter((header) => !header.unusable)
      .map((header) => ({info: modelInfoFor(header, this.options.modelsDir, this.options.modelKeys?.[header.key]), fileKey: header.key}));
  }

  private find(specifier: unknown): Instance | undefined {
    const spec = specifier as {type?: string; instanceReference?: string; query?: {identifier?: string; path?: string}} | undefined;
    const instances = [...this.instances.values()];
    if (spec?.type === 'instanceReference') return instances.find((i) => i.info.instanceReference === spec.instanceReference);
    const query = spec?.query ?? {};
    return instances.find(
      (i) =>
        (query.identifier === undefined || i.info.identifier === query.identifier || i.info.modelKey === query.identifier) &&
        (query.path === undefined || i.info.path === query.path),
    );
  }

  private require(specifier: unknown): Instance {
    const instance = this.find(specifier);
    if (!instance) throw new EmulatorError({title: 'The model has been unloaded', cause: 'No loaded model matches the specifier.'});
    return instance;
  }

  private async loadInstance(
    modelKey: string,
    options: {
      identifier?: string | undefined;
      contextLength?: number | undefined;
      by: 'user' | 'client';
      signal?: AbortSignal;
      onResolved?: (info: LMStudioModelInfo) => void;
      onProgress?: (progress: number) => void;
    },
  ): Promise<Instance> {
    const model = (await this.downloaded()).find(({info}) => info.modelKey === modelKey || info.path === modelKey);
    if (!model) throw new EmulatorError(notFoundError(`key "${modelKey}"`));
    options.onResolved?.(model.info);
    let reported = -1;
    const report = (progress: number) => {
      const rounded = Math.round(progress * 1000) / 1000;
      if (rounded <= reported || options.signal?.aborted) return;
      reported = rounded;
      options.onProgress?.(rounded);
    };
    report(0);
    const {loadDelayMs = 0, failLoad} = this.faults;
    const slowSteps = loadDelayMs > 0 ? 5 : 0;
    for (let step = 1; step <= slowSteps; step++) {
      await sleep(loadDelayMs / slowSteps, options.signal);
      report((step / slowSteps) * 0.5);
    }
    if (failLoad && (failLoad.modelKey === undefined || failLoad.modelKey === modelKey)) {
      throw new EmulatorError(failLoad.error ?? LOAD_FAILED_ERROR);
    }
    if (options.signal?.aborted) throw new EmulatorError({title: 'Model loading was cancelled'});
    const base = slowSteps > 0 ? 0.5 : 0;
    const contextLength = Math.min(options.contextLength ?? 4096, model.info.maxContextLength);
    const handle = await this.engine.load(model.fileKey, {
      contextLength,
      ...(options.signal ? {signal: options.signal} : {}),
      onProgress: (fraction) => report(base + fraction * (1 - base)),
    });
    report(1);
    const identifier = options.identifier ?? this.freeIdentifier(model.info.modelKey);
    const info = instanceInfoFor(model.info, identifier, randomUUID(), handle.contextLength);
    const instance = {info, handle, loadedBy: options.by};
    this.instances.set(identifier, instance);
    return instance;
  }

  private freeIdentifier(modelKey: string): string {
    if (!this.instances.has(modelKey)) return modelKey;
    for (let n = 2; ; n++) if (!this.instances.has(`${modelKey}:${n}`)) return `${modelKey}:${n}`;
  }

  private async predict(param: Record<string, unknown>, channel: Channel): Promise<void> {
    const instance = this.require(param.modelSpecifier);
    const stack = param.predictionConfigStack;
    const maxTokens = numericValue(configValue(stack, 'maxPredictedTokens'));
    const temperature = numericValue(configValue(stack, 'prediction.temperature'));
    const generation = new AbortController();
    channel.signal.addEventListener('abort', () => generation.abort(), {once: true});
    channel.onMessage = (message) => {
      if (message.type === 'cancel') generation.abort();
    };

    // Fragments go out through a queue so that a delay per fragment does not hold the engine up.
    let fragments = 0;
    let sending: Promise<void> = Promise.resolve();
    const sendFragment = (content: string) => {
      sending = sending.then(async () => {
        if (channel.signal.aborted) return;
        await sleep(this.faults.fragmentDelayMs ?? 0, channel.signal);
        if (this.faults.malformed === 'fragment') {
          this.faults = {...this.faults, malformed: undefined};
          channel.send({type: 'fragment', fragment: {content: 7}});
          return;
        }
        channel.send({type: 'fragment', fragment: {content, tokensCount: 1, containsDrafted: false, reasoningType: 'none', isStructural: false}});
        fragments += 1;
        if (this.faults.dropAfterFragments !== undefined && fragments >= this.faults.dropAfterFragments) {
          this.faults = {...this.faults, dropAfterFragments: undefined};
          generation.abort();
          channel.connection.terminate();
        }
      });
    };
    const started = performance.now();
    let firstAt = 0;
    const result = await this.engine.respond(instance.handle, historyToMessages(param.history), {
      signal: generation.signal,
      ...(maxTokens === undefined ? {} : {maxTokens}),
      ...(temperature === undefined ? {} : {temperature}),
      // LM Studio sends a fragment per token; the forged models have one token per word, so the
      // engine's chunks are split where words start.
      onText: (chunk) => {
        if (!firstAt) firstAt = performance.now();
        for (const piece of chunk.split(/(?=\s\S)/)) if (piece) sendFragment(piece);
      },
    });
    await sending;
    if (channel.signal.aborted) return;
    const {stats} = result;
    const stopReason = stats.stopReason === 'aborted' ? 'userStopped' : stats.stopReason === 'maxTokens' ? 'maxPredictedTokensReached' : 'eosFound';
    if (this.faults.malformed === 'success') {
      this.faults = {...this.faults, malformed: undefined};
      channel.send({type: 'success', stats: {stopReason}});
      return;
    }
    channel.send({
      type: 'success',
      stats: {
        stopReason,
        tokensPerSecond: stats.tokensPerSecond,
        timeToFirstTokenSec: (firstAt ? firstAt - started : stats.timeToFirstTokenMs) / 1000,
        totalTimeSec: (performance.now() - started) / 1000,
        promptTokensCount: stats.tokensIn,
        predictedTokensCount: stats.tokensOut,
        totalTokensCount: stats.tokensIn + stats.tokensOut,
      },
      modelInfo: instance.info,
      loadModelConfig: {fields: [{key: 'llm.load.contextLength', value: instance.info.contextLength}]},
      predictionConfig: {fields: []},
    });
    channel.close();
  }
}

function serialize(error: unknown): SerializedError {
  if (error instanceof EmulatorError) return error.serialized;
  return {title: errorMessage(error)};
}
