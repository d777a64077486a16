import {randomUUID} from 'node:crypto';
import type {ModelHandle} from '../../src/backends/backend.js';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
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
import {WireError as EmulatorError, WireServer, type Channel} from './lmstudio-wire.js';

// A small LM Studio for tests: a server that speaks @lmstudio/sdk 1.5.0's wire protocol
// (lmstudio-wire.ts) and answers with the real embedded engine on GGUF files, so replies, token
// counts and context lengths are real. The SDK client is used unchanged. Faults can be injected;
// every `communicationWarning` a client sends (it does so when it cannot parse what we sent) is
// recorded, and tests fail on any they did not ask for (support/lmstudio.ts).

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

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true});
  });

export class LMStudioEmulator {
  faults: Faults = {};
  private readonly instances = new Map<string, Instance>();
  private readonly engine: EmbeddedBackend;
  private wire!: WireServer;

  private constructor(private readonly options: EmulatorOptions) {
    this.engine = new EmbeddedBackend({
      id: 'lmstudio-emulator-engine',
      modelDirs: [options.modelsDir],
      threads: options.threads ?? 1,
      gpu: false,
      maxTokens: 1000,
      temperature: 0.7,
    });
  }

  static async start(options: EmulatorOptions): Promise<LMStudioEmulator> {
    const emulator = new LMStudioEmulator(options);
    emulator.wire = await WireServer.start({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      ...(options.log ? {log: options.log} : {}),
      handlers: {
        rpc: (endpoint, parameter) => emulator.rpc(endpoint, parameter),
        channel: (endpoint, parameter, channel) => emulator.openChannel(endpoint, parameter, channel),
        refuseConnections: () => emulator.faults.refuseConnections === true,
        malformedResult: () => {
          if (emulator.faults.malformed !== 'rpcResult') return undefined;
          emulator.faults = {...emulator.faults, malformed: undefined};
          return [{modelKey: 42}];
        },
      },
    });
    return emulator;
  }

  get url(): string {
    return this.wire.url;
  }

  /** communicationWarning messages received from clients: each means a protocol mismatch. */
  get warnings(): string[] {
    return this.wire.warnings;
  }

  /** Every rpc and channel a client opened, as `namespace/endpoint`, in order. */
  get requests(): readonly string[] {
    return this.wire.requests;
  }

  /** WebSocket connections accepted (one per namespace per client connection). */
  get connections(): number {
    return this.wire.connections;
  }

  /** The last passkey a client authenticated with, for checking that mai never logs it. */
  get lastClientPasskey(): string | null {
    return this.wire.lastClientPasskey;
  }

  count(endpoint: string): number {
    return this.requests.filter((request) => request === endpoint).length;
  }

  /** LM Studio quits: the port stops listening and every connection drops. Loaded models stay. */
  goAway(): Promise<void> {
    return this.wire.goAway();
  }

  /** LM Studio is back, on the same port. */
  comeBack(): Promise<void> {
    return this.wire.comeBack();
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

  async close(): Promise<void> {
    await this.wire.close();
    this.instances.clear();
    await this.engine.dispose();
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
