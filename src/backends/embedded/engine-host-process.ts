import {fork, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {ChatMessage} from '../../domain.js';
import type {ResponseResult, RespondOptions} from '../backend.js';
import type {EngineMemory, EngineSettings, HostMessage, LoadedInfo, LoadRequest, ParentMessage} from './engine-protocol.js';
import {ModelError} from '../model-error.js';

// The parent's handle on one engine host child (engine-host.ts): starts it, correlates requests and
// replies, watches its heartbeat, and turns every way it can die into a classified ModelError.

export type HostOptions = {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  readonly onLog?: (level: string, message: string) => void;
  /** Between pings while the engine has work (a load, a reply, a count). */
  readonly heartbeatMs?: number;
  /** Between pings while it has none: an idle engine's RSS barely moves, and a ping wakes both processes. */
  readonly idleHeartbeatMs?: number;
  /** No answer to a ping for this long means the engine hangs: it is killed. */
  readonly heartbeatTimeoutMs?: number;
};

type HeartbeatOptions = Pick<HostOptions, 'heartbeatMs' | 'idleHeartbeatMs' | 'heartbeatTimeoutMs'>;

type Pending = {
  resolve: (message: HostMessage) => void;
  reject: (error: Error) => void;
  onChunk?: (text: string) => void;
};

const STDERR_TAIL_BYTES = 8192;

function hostEntry(): {script: string; execArgv: string[]} {
  const built = fileURLToPath(new URL('./engine-host.js', import.meta.url));
  if (existsSync(built)) return {script: built, execArgv: []};
  // Running from the TypeScript sources (tests, development): the child needs the same loader.
  return {script: fileURLToPath(new URL('./engine-host.ts', import.meta.url)), execArgv: ['--import', import.meta.resolve('tsx')]};
}

/** The line that says why llama.cpp aborted, when it said it on stderr. */
export function crashReason(stderrTail: string, code: number | null, signal: string | null): string {
  const lines = stderrTail.split('\n').map((line) => line.trim()).filter(Boolean);
  const said = lines.find((line) => /GGML_ASSERT|error:|terminate called/i.test(line)) ?? lines.at(-1);
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return said ? `${said} (${how})` : how;
}

export type LoadOptions = Omit<HostOptions, keyof HeartbeatOptions>;

type LoadWaiter = {readonly settle: (error: ModelError | null) => void; readonly options: LoadOptions};

export class EngineHostProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private heartbeat: NodeJS.Timeout | undefined;
  private heartbeatOptions: Required<HeartbeatOptions> = {heartbeatMs: 2000, idleHeartbeatMs: 30_000, heartbeatTimeoutMs: 15_000};
  /** When the next ping goes out. */
  private nextBeatAt = 0;
  /** When the ping still unanswered was sent; null when the last one was answered. */
  private pingSentAt: number | null = null;
  /** Requests in flight other than pings. */
  private work = 0;
  private exitError: ModelError | null = null;
  private readonly exitListeners: ((error: ModelError) => void)[] = [];
  /** The engine started (node-llama-cpp and its binding loaded). */
  private ready = false;
  private initFailure: string | null = null;
  private loading: LoadWaiter | null = null;
  private modelKey: string | undefined;
  info: LoadedInfo | null = null;
  /** The engine's resident memory, from its last heartbeat. */
  rssBytes = 0;
  private memory: EngineMemory | null = null;
  private readonly memoryWaiters: ((memory: EngineMemory | null) => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (data: Buffer) => {
      this.stderrTail = (this.stderrTail + data.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.on('message', (message: HostMessage) => this.onMessage(message));
    child.on('error', (error) => this.finishLoad(new ModelError('load-failed', `could not start the engine: ${error.message}`, this.modelKey)));
    child.on('exit', (code, signal) => this.onChildExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitError === null;
  }

  /**
   * Starts an engine process and, at once, the engine in it, before any model is chosen: importing
   * node-llama-cpp and loading its binding is ~550 of a load's ~600 ms, so a host started ahead
   * of time (a spare) makes the next switch nearly instant.
   */
  static spawn(settings: EngineSettings, options: HeartbeatOptions = {}): EngineHostProcess {
    const {script, execArgv} = hostEntry();
    // stdout is ignored: nothing the engine prints may reach the terminal under the TUI.
    const child = fork(script, [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv,
      serialization: 'json',
      // On an abort, ggml attaches gdb to print a backtrace: seconds of waiting for nothing useful.
      env: {...process.env, GGML_NO_BACKTRACE: '1'},
    });
    const host = new EngineHostProcess(child);
    host.send({type: 'init', ...settings});
    host.startHeartbeat(options);
    return host;
  }

  /** Starts an engine and loads a model in it. */
  static start(modelKey: string, settings: EngineSettings, request: LoadRequest, options: HostOptions = {}): Promise<EngineHostProcess> {
    return EngineHostProcess.spawn(settings, options).load(modelKey, request, options);
  }

  /** Loads the model this host will serve; a host loads one model in its life. */
  load(modelKey: string, request: LoadRequest, options: LoadOptions = {}): Promise<EngineHostProcess> {
    const {signal} = options;
    this.modelKey = modelKey;
    return new Promise<EngineHostProcess>((resolve, reject) => {
      const onAbort = () => this.finishLoad(new ModelError('aborted', 'loading was cancelled', modelKey));
      this.loading = {
        options,
        settle: (error) => {
          signal?.removeEventListener('abort', onAbort);
          if (error) {
            this.kill();
            reject(error);
          } else {
            resolve(this);
          }
        },
      };
      if (this.exitError) return this.finishLoad(this.startFailure(this.exitError.message));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, {once: true});
      this.wake();
      this.send(request);
    });
  }

  private finishLoad(error: ModelError | null): void {
    const loading = this.loading;
    this.loading = null;
    loading?.settle(error);
  }

  /** A host that died before its engine started says nothing about the model it was given. */
  private startFailure(reason: string): ModelError {
    return new ModelError('load-failed', `the engine could not start: ${this.initFailure ?? reason}`, this.modelKey);
  }

  private onMessage(message: HostMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return;
      case 'init-failed':
        this.initFailure = message.message;
        return;
      case 'progress':
        this.loading?.options.onProgress?.(message.fraction);
        return;
      case 'log':
        this.loading?.options.onLog?.(message.level, message.message);
        return;
      case 'loaded': {
        const {type: _type, ...info} = message;
        this.info = info;
        return this.finishLoad(null);
      }
      case 'measured': {
        const {type: _type, ...memory} = message;
        this.memory = memory;
        for (const waiter of this.memoryWaiters.splice(0)) waiter(memory);
        return;
      }
      case 'load-failed': {
        const kind = /alloc|memory/i.test(message.message) ? 'out-of-memory' : 'unusable';
        return this.finishLoad(new ModelError(kind, message.message, this.modelKey));
      }
      default:
        return this.route(message);
    }
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    const reason = crashReason(this.stderrTail, code, signal);
    this.finishLoad(
      this.ready
        ? new ModelError('unusable', `the engine crashed while loading it: ${reason}`, this.modelKey)
        : this.startFailure(reason),
    );
    this.onExited(new ModelError('crashed', `the engine process ended: ${reason}`, this.modelKey));
  }

  private onExited(error: ModelError): void {
    if (this.exitError) return;
    this.exitError = error;
    clearTimeout(this.heartbeat);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const listener of this.exitListeners) listener(error);
    for (const waiter of this.memoryWaiters.splice(0)) waiter(null);
  }

  /** The loaded model's memory, once the host measured it resident; null if the engine ends first. */
  memoryAfterLoad(): Promise<EngineMemory | null> {
    if (this.memory) return Promise.resolve(this.memory);
    if (this.exitError) return Promise.resolve(null);
    return new Promise((resolve) => this.memoryWaiters.push(resolve));
  }

  /** Called once if the process ends for any reason other than stop(). */
  onExit(listener: (error: ModelError) => void): void {
    this.exitListeners.push(listener);
  }

  private startHeartbeat(options: HeartbeatOptions): void {
    this.heartbeatOptions = {...this.heartbeatOptions, ...options};
    // The first ping goes out soon: it brings the engine's RSS, and a host that hangs while
    // starting shows it.
    this.scheduleBeat(this.heartbeatOptions.heartbeatMs);
  }

  private get busy(): boolean {
    return this.loading !== null || this.work > 0;
  }

  private scheduleBeat(delayMs: number): void {
    if (this.exitError) return;
    clearTimeout(this.heartbeat);
    this.nextBeatAt = Date.now() + delayMs;
    this.heartbeat = setTimeout(() => this.beat(), delayMs);
    // The heartbeat alone must not keep a one-shot command (`mai ask`) alive.
    this.heartbeat.unref();
  }

  /** Work starts: the next ping comes at the busy pace, not the idle one. */
  private wake(): void {
    const {heartbeatMs} = this.heartbeatOptions;
    if (this.nextBeatAt - Date.now() > heartbeatMs) this.scheduleBeat(heartbeatMs);
  }

  private beat(): void {
    const {heartbeatMs, idleHeartbeatMs, heartbeatTimeoutMs} = this.heartbeatOptions;
    if (this.pingSentAt !== null) {
      if (Date.now() - this.pingSentAt > heartbeatTimeoutMs) {
        this.onExited(new ModelError('crashed', `the engine stopped answering for ${heartbeatTimeoutMs} ms`, this.modelKey));
        this.kill();
      } else {
        // Still waiting for the answer, idle or not: looked at again soon, so a hang shows in time.
        this.scheduleBeat(heartbeatMs);
      }
      return;
    }
    const sentAt = Date.now();
    this.pingSentAt = sentAt;
    this.request((id) => ({type: 'ping', id}), undefined, false).reply.then(
      (pong) => {
        if (this.pingSentAt === sentAt) this.pingSentAt = null;
        if (pong.type === 'pong') this.rssBytes = pong.rssBytes;
      },
      () => undefined,
    );
    this.scheduleBeat(this.busy ? heartbeatMs : idleHeartbeatMs);
  }

  private route(message: HostMessage): void {
    if (!('id' in message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'chunk') {
      pending.onChunk?.(message.text);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'failed') pending.reject(new ModelError('crashed', message.message, this.modelKey));
    else pending.resolve(message);
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Sends a request and waits for its answer; `isWork` (all but pings) sets the heartbeat's busy pace. */
  private request(build: (id: number) => ParentMessage, onChunk?: (text: string) => void, isWork = true): {id: number; reply: Promise<HostMessage>} {
    const id = this.nextId++;
    if (this.exitError) return {id, reply: Promise.reject(this.exitError)};
    const reply = new Promise<HostMessage>((resolve, reject) => {
      this.pending.set(id, {resolve, reject, ...(onChunk ? {onChunk} : {})});
      this.send(build(id));
    });
    if (isWork) {
      this.work++;
      this.wake();
      const done = () => void this.work--;
      reply.then(done, done);
    }
    return {id, reply};
  }

  async respond(messages: readonly ChatMessage[], options: RespondOptions & {maxTokens: number; temperature: number}): Promise<ResponseResult> {
    const {signal, onText, maxTokens, temperature, isolated, continueFrom} = options;
    const {id, reply} = this.request(
      (id) => ({type: 'respond', id, messages, maxTokens, temperature, ...(isolated ? {isolated} : {}), ...(continueFrom ? {continueFrom} : {})}),
      onText,
    );
    const onAbort = () => this.send({type: 'abort', id});
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, {once: true});
    try {
      const message = await reply;
      if (message.type !== 'done') throw new ModelError('crashed', `unexpected engine reply ${message.type}`, this.modelKey);
      return {text: message.text, stats: message.stats};
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async countTokens(texts: readonly string[]): Promise<number[]> {
    const message = await this.request((id) => ({type: 'count', id, texts})).reply;
    if (message.type !== 'counted' || message.tokens.length !== texts.length) {
      throw new ModelError('crashed', `unexpected engine reply ${message.type} to a token count`, this.modelKey);
    }
    return [...message.tokens];
  }

  async countPromptTokens(messages: readonly ChatMessage[]): Promise<number> {
    const message = await this.request((id) => ({type: 'count-prompt', id, messages})).reply;
    const tokens = message.type === 'counted' ? message.tokens[0] : undefined;
    if (tokens === undefined) throw new ModelError('crashed', `unexpected engine reply ${message.type} to a prompt count`, this.modelKey);
    return tokens;
  }

  /** Asks the engine to dispose and exit; kills it if it has not within graceMs. */
  async stop(graceMs = 1000): Promise<void> {
    if (this.exitError || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.exitListeners.length = 0;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({type: 'unload'});
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
