import {stat} from 'node:fs/promises';
import path from 'node:path';
import type {ChatMessage, ModelInfo} from '../../domain.js';
import type {LoadOptions, MeasuredLoad, ModelBackend, ModelHandle, RespondOptions, ResponseResult} from '../backend.js';
import {EngineHostProcess} from './engine-host-process.js';
import type {GpuChoice} from './engine-protocol.js';
import {ModelError} from '../model-error.js';
import {findGgufFiles, readModelInfo} from './gguf-files.js';

// node-llama-cpp models on this machine, each loaded in an engine host process of its own.

export type EmbeddedBackendOptions = {
  readonly id?: string;
  readonly modelDirs: readonly string[];
  readonly threads: number;
  readonly gpu: GpuChoice;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly onLog?: (modelKey: string, level: string, message: string) => void;
  /**
   * Keep one engine process started ahead of time, so that the next load skips the ~550 ms of
   * starting node-llama-cpp (the TUI, where switching should feel instant). Costs ~90 MB idle.
   */
  readonly keepSpareEngine?: boolean;
  /** A loaded model's engine died while mai was not using it. */
  readonly onModelLost?: (handle: ModelHandle, error: ModelError) => void;
};

type CachedInfo = {readonly size: number; readonly mtimeMs: number; readonly info: ModelInfo};

const HEADER_READS_AT_ONCE = 4;

export class EmbeddedBackend implements ModelBackend {
  readonly kind = 'embedded' as const;
  /** LlamaChat goes on from the start of a model response, so a switch mid-reply keeps its text. */
  readonly continuesReplies = true;
  readonly id: string;
  private readonly infoCache = new Map<string, CachedInfo>();
  private byKey = new Map<string, ModelInfo>();
  /** Models that crashed the engine while loading: unusable until their file changes. */
  private readonly crashed = new Map<string, {reason: string; mtimeMs: number}>();
  private readonly hosts = new Map<string, EngineHostProcess>();
  private readonly handles = new Map<string, ModelHandle>();
  private loads = 0;
  private spare: EngineHostProcess | null = null;
  /** Memory pressure gave the spare engine back; no new one until it eases. */
  private spareReleased = false;
  private disposed = false;

  constructor(private readonly options: EmbeddedBackendOptions) {
    this.id = options.id ?? 'embedded';
  }

  async available(): Promise<boolean> {
    return true;
  }

  async listModels(): Promise<ModelInfo[]> {
    const files = await findGgufFiles(this.options.modelDirs);
    const infos: ModelInfo[] = [];
    for (let i = 0; i < files.length; i += HEADER_READS_AT_ONCE) {
      infos.push(...(await Promise.all(files.slice(i, i + HEADER_READS_AT_ONCE).map((file) => this.infoFor(file)))));
    }
    const byKey = new Map<string, ModelInfo>();
    for (const info of infos) {
      // The same file name in two folders (two publishers in LM Studio's tree): the later one is
      // named by its folder too, so every key stays unique and stable.
      const key = byKey.has(info.key) ? `${path.basename(path.dirname(info.path ?? ''))}/${info.key}` : info.key;
      byKey.set(key, key === info.key ? info : {...info, key});
    }
    this.byKey = byKey;
    return [...byKey.values()];
  }

  private async infoFor(file: string): Promise<ModelInfo> {
    let size = -1;
    let mtimeMs = -1;
    try {
      ({size, mtimeMs} = await stat(file));
    } catch {
      // vanished between the scan and now: readModelInfo reports it
    }
    const cached = this.infoCache.get(file);
    let info = cached && cached.size === size && cached.mtimeMs === mtimeMs ? cached.info : await readModelInfo(file, this.id);
    this.infoCache.set(file, {size, mtimeMs, info});
    const crash = this.crashed.get(file);
    if (crash && crash.mtimeMs === mtimeMs && !info.unusable) info = {...info, unusable: crash.reason};
    return info;
  }

  async listLoaded(): Promise<ModelHandle[]> {
    return [...this.handles.values()];
  }

  private async infoForKey(key: string): Promise<ModelInfo> {
    const known = this.byKey.get(key) ?? (await this.listModels()).find((info) => info.key === key);
    if (!known?.path) throw new ModelError('not-found', `no GGUF model named ${key} in the model folders`, key);
    return known;
  }

  async load(key: string, {contextLength, signal, onProgress}: LoadOptions): Promise<ModelHandle> {
    const info = await this.infoForKey(key);
    if (info.unusable) throw new ModelError('unusable', info.unusable, key);
    const file = info.path as string;
    let host: EngineHostProcess;
    try {
      host = await this.takeEngine().load(
        key,
        {type: 'load', path: file, contextSize: Math.min(contextLength, info.contextLength || contextLength), chatTemplate: info.demo ? 'chatml' : 'auto'},
        {
          ...(signal ? {signal} : {}),
          ...(onProgress ? {onProgress} : {}),
          onLog: (level, message) => this.options.onLog?.(key, level, message),
        },
      );
    } catch (error) {
      if (error instanceof ModelError && error.kind === 'unusable') {
        const mtimeMs = this.infoCache.get(file)?.mtimeMs ?? -1;
        this.crashed.set(file, {reason: error.message, mtimeMs});
        this.byKey.set(key, {...info, unusable: error.message});
      }
      throw error;
    } finally {
      this.prepareSpare();
    }
    const handle: ModelHandle = {
      id: `${this.id}:${key}#${++this.loads}`,
      key,
      backendId: this.id,
      contextLength: host.info?.contextLength ?? contextLength,
      ...(host.pid === undefined ? {} : {pid: host.pid}),
      ownedByMai: true,
    };
    this.hosts.set(handle.id, host);
    this.handles.set(handle.id, handle);
    host.onExit((error) => {
      this.hosts.delete(handle.id);
      this.handles.delete(handle.id);
      this.options.onModelLost?.(handle, error);
    });
    return handle;
  }

  /** The spare engine when one is ready (it is used once); else a new one. */
  private takeEngine(): EngineHostProcess {
    const spare = this.spare;
    this.spare = null;
    if (spare?.alive) return spare;
    return EngineHostProcess.spawn({threads: this.options.threads, gpu: this.options.gpu});
  }

  private prepareSpare(): void {
    if (!this.options.keepSpareEngine || this.disposed || this.spare || this.spareReleased) return;
    const spare = EngineHostProcess.spawn({threads: this.options.threads, gpu: this.options.gpu});
    this.spare = spare;
    spare.onExit(() => {
      if (this.spare === spare) this.spare = null;
    });
  }

  /** Under memory pressure: the spare engine (about 90 MB) goes first, as it costs nothing now. */
  releaseIdle(): boolean {
    this.spareReleased = true;
    const spare = this.spare;
    this.spare = null;
    spare?.kill();
    return spare !== null;
  }

  holdsIdle(): boolean {
    return this.spare !== null;
  }

  resumeIdle(): void {
    if (!this.spareReleased) return;
    this.spareReleased = false;
    this.prepareSpare();
  }

  /** The engine process kept ready for the next load, if any. */
  spareEngine(): {readonly pid: number | undefined; readonly rssBytes: number} | null {
    return this.spare ? {pid: this.spare.pid, rssBytes: this.spare.rssBytes} : null;
  }

  private hostFor(handle: ModelHandle): EngineHostProcess {
    const host = this.hosts.get(handle.id);
    if (!host?.alive) throw new ModelError('crashed', `${handle.key} is no longer loaded`, handle.key);
    return host;
  }

  async unload(handle: ModelHandle): Promise<void> {
    const host = this.hosts.get(handle.id);
    this.hosts.delete(handle.id);
    this.handles.delete(handle.id);
    await host?.stop();
  }

  // async: a handle that is no longer loaded is a rejected promise, like every other failure.
  async respond(handle: ModelHandle, messages: readonly ChatMessage[], options: RespondOptions = {}): Promise<ResponseResult> {
    return this.hostFor(handle).respond(messages, {
      ...options,
      maxTokens: options.maxTokens ?? this.options.maxTokens,
      temperature: options.temperature ?? this.options.temperature,
    });
  }

  async countTokens(handle: ModelHandle, text: string): Promise<number> {
    const [tokens = 0] = await this.hostFor(handle).countTokens([text]);
    return tokens;
  }

  countTokensMany(handle: ModelHandle, texts: readonly string[]): Promise<number[]> {
    return this.hostFor(handle).countTokens(texts);
  }

  countPromptTokens(handle: ModelHandle, messages: readonly ChatMessage[]): Promise<number> {
    return this.hostFor(handle).countPromptTokens(messages);
  }

  contextLength(handle: ModelHandle): number {
    return handle.contextLength;
  }

  /** Resident memory of a loaded model's engine process (from its heartbeat), 0 when unknown. */
  residentBytes(handle: ModelHandle): number {
    return this.hosts.get(handle.id)?.rssBytes ?? 0;
  }

  /**
   * The memory a loaded model takes, once its engine measured it resident (shortly after the load;
   * the estimate learns from it). Null when the model was unloaded or its engine ended first.
   */
  async measureLoad(handle: ModelHandle): Promise<MeasuredLoad | null> {
    const host = this.hosts.get(handle.id);
    const memory = host ? await host.memoryAfterLoad() : null;
    if (!memory || !host?.info) return null;
    return {...memory, contextLength: host.info.contextLength, gpuLayers: host.info.gpuLayers};
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.spare?.kill();
    this.spare = null;
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    this.handles.clear();
    await Promise.all(hosts.map((host) => host.stop()));
  }
}
