import {randomBytes} from 'node:crypto';
import {inspect} from 'node:util';
import type {LMStudioClient} from '@lmstudio/sdk';
import {sanitizeForTerminal} from '../../util/sanitize.js';
import type {ConnectionState} from '../../domain.js';
import type {BackendConnection, ConnectionStatus} from '../backend.js';
import {ModelError} from '../model-error.js';
import {classifyLMStudioError, type CallKind} from './lmstudio-errors.js';
import {safeName} from './lmstudio-info.js';
import {isLoopback, probeLMStudio} from './lmstudio-probe.js';

// The connection to one LM Studio server: whether it is there, its state for the panel, the SDK
// client, background reconnection, and a timeout on every call. What @lmstudio/sdk 1.5.0 does that
// a terminal app cannot accept, and what is done about it (shared notes/lmstudio-sdk-1.5.0-protocol.md):
// - Without a baseUrl it probes ports of its own and, when nothing answers, crashes the process
//   with unhandled rejections: the baseUrl is always given, and a greeting probe runs first.
// - A reply it cannot parse leaves the call pending forever: every call has a timeout, and a timed
//   out call closes its socket so that the SDK lets go of it (terminateSockets).
// - It logs to the console: it gets a logger that routes to mai's log.
// - Nothing tells a client that LM Studio went away while no call is open: whenDisconnected()
//   (an `alive` channel) does, while the TUI watches.

export type LMStudioState = ConnectionState;

export type LMStudioStatus = ConnectionStatus;

export type LMStudioTimeouts = {
  /** The greeting probe: loopback answers in milliseconds, or refuses at once when nothing listens. */
  readonly probeMs: number;
  /** Any request that returns one answer (version, lists, token counts, unload). */
  readonly callMs: number;
  /** A load with no progress for this long has stalled. */
  readonly loadIdleMs: number;
  /** The first fragment of a reply (prompt processing of a long conversation takes a while). */
  readonly firstFragmentMs: number;
  /** Between two fragments of a reply. */
  readonly fragmentIdleMs: number;
  /** After a cancel, how long LM Studio has to end the reply before mai ends it itself. */
  readonly cancelGraceMs: number;
};

export const DEFAULT_TIMEOUTS: LMStudioTimeouts = {
  probeMs: 300,
  callMs: 15_000,
  loadIdleMs: 120_000,
  firstFragmentMs: 300_000,
  fragmentIdleMs: 60_000,
  cancelGraceMs: 3_000,
};

/**
 * Reconnection backs off from half a second to this: a refused connection costs nothing, and a
 * user who has just started LM Studio should not wait long to see its models.
 */
const MAX_RECONNECT_MS = 10_000;

/** A host that is not this machine gets a longer probe: a network is slower than loopback. */
const REMOTE_PROBE_MS = 1000;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type ConnectionOptions = {
  readonly url: string;
  /** What the user calls it in notices (default "LM Studio"). */
  readonly name?: string;
  readonly timeouts?: Partial<LMStudioTimeouts>;
  /** Background reconnection: first delay, doubled up to the max. */
  readonly reconnectMs?: {readonly initial: number; readonly max: number};
  readonly onLog?: (level: LogLevel, message: string) => void;
};

export const NAMESPACES = ['llm', 'system', 'embedding', 'diagnostics', 'files', 'repository', 'plugins'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/**
 * @lmstudio/sdk 1.5.0 offers no way to abandon a call that never settles. Closing the socket of the
 * namespace makes its transport reject every pending call ("WebSocket connection closed") and open
 * a new socket on the next call. This reaches into the client's fields (`llmPort.transport.ws`),
 * one reason the SDK is pinned to exactly 1.5.0; test/lmstudio-adapter.test.ts covers it.
 */
function terminateSockets(client: LMStudioClient, namespaces: readonly string[]): void {
  for (const namespace of namespaces) {
    const port = (client as unknown as Record<string, {transport?: {ws?: {terminate?: () => void} | null}} | undefined>)[`${namespace}Port`];
    try {
      port?.transport?.ws?.terminate?.();
    } catch {
      // already closed
    }
  }
}

export class LMStudioConnection implements BackendConnection {
  readonly name: string;
  readonly timeouts: LMStudioTimeouts;
  private sdkClient: LMStudioClient | null = null;
  private readonly passkey = randomBytes(18).toString('base64');
  private current: LMStudioStatus;
  private readonly listeners = new Set<(status: LMStudioStatus) => void>();
  private connecting: Promise<boolean> | null = null;
  private checkedAt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private watching = false;
  private aliveWatched = false;
  private disposed = false;

  constructor(private readonly options: ConnectionOptions) {
    this.name = options.name ?? 'LM Studio';
    const probeMs = isLoopback(options.url) ? DEFAULT_TIMEOUTS.probeMs : REMOTE_PROBE_MS;
    this.timeouts = {...DEFAULT_TIMEOUTS, probeMs, ...options.timeouts};
    this.backoffMs = this.initialBackoff;
    this.current = {state: 'checking', url: options.url, version: null, detail: null};
  }

  private get initialBackoff(): number {
    return this.options.reconnectMs?.initial ?? 500;
  }

  status(): LMStudioStatus {
    return this.current;
  }

  onStatus(listener: (status: LMStudioStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setStatus(next: Partial<LMStudioStatus>): void {
    const status = {...this.current, ...next};
    const same = status.state === this.current.state && status.version === this.current.version && status.detail === this.current.detail;
    if (same) return;
    this.current = status;
    for (const listener of this.listeners) listener(status);
  }

  log(level: LogLevel, messages: readonly unknown[]): void {
    // Once disposing, the SDK only reports the sockets mai is closing itself.
    if (this.disposed) return;
    const text = messages.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : inspect(m, {depth: 2}))).join(' ');
    // The SDK does not log its passkey; this makes sure it never does through mai.
    const line = sanitizeForTerminal(text).split(this.passkey).join('[redacted]').replace(/\s+/g, ' ').trim().slice(0, 2000);
    this.options.onLog?.(level, line);
  }

  /** Keeps checking in the background while LM Studio is away, and notices when it goes away. */
  watch(): void {
    this.watching = true;
    if (this.current.state === 'connected' && this.sdkClient) this.watchDisconnect(this.sdkClient);
    else if (this.current.state !== 'checking') this.scheduleReconnect();
  }

  async available(): Promise<boolean> {
    if (this.disposed) return false;
    if (this.current.state === 'connected') return true;
    // While a reconnection is scheduled, its backoff decides when to try again.
    if (this.reconnectTimer) return false;
    if (this.current.state !== 'checking' && Date.now() - this.checkedAt < 1000) return false;
    return this.attempt();
  }

  /** One connection attempt at a time. */
  private attempt(): Promise<boolean> {
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<boolean> {
    const down: LMStudioState = this.current.state === 'connected' || this.current.state === 'reconnecting' ? 'reconnecting' : 'not-running';
    this.checkedAt = Date.now();
    const probe = await probeLMStudio(this.options.url, this.timeouts.probeMs);
    if (this.disposed) return false;
    try {
      if (!probe.ok) throw new ModelError('backend-gone', probe.reason);
      const client = await this.client();
      const {version} = await this.call('system', 'asking its version', 'call', () => client.system.getLMStudioVersion());
      this.backoffMs = this.initialBackoff;
      this.setStatus({state: 'connected', version: safeName(version), detail: null});
      if (this.watching) this.watchDisconnect(client);
      return true;
    } catch (error) {
      const gone = error instanceof ModelError && error.kind === 'backend-gone';
      this.setStatus({state: gone ? down : 'error', detail: (error as Error).message});
      if (this.watching || down === 'reconnecting') this.scheduleReconnect();
      return false;
    }
  }

  /** The SDK client (created on first use; the probe has said LM Studio is there). */
  async client(): Promise<LMStudioClient> {
    if (this.sdkClient) return this.sdkClient;
    // Imported on first use: ~90 ms that a machine without LM Studio never pays.
    const {LMStudioClient} = await import('@lmstudio/sdk');
    const log = (level: LogLevel) => (...messages: unknown[]) => this.log(level, messages);
    this.sdkClient = new LMStudioClient({
      baseUrl: this.options.url,
      logger: {debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error')},
      verboseErrorMessages: false,
      clientIdentifier: `mai-${randomBytes(6).toString('hex')}`,
      clientPasskey: this.passkey,
    });
    return this.sdkClient;
  }

  /** The client while connected; else a classified "backend gone", without touching the network. */
  async connected(what: string): Promise<LMStudioClient> {
    if (this.sdkClient && this.current.state === 'connected') return this.sdkClient;
    if (await this.available()) return this.client();
    throw new ModelError('backend-gone', `LM Studio is ${this.current.state === 'reconnecting' ? 'reconnecting' : 'not running'} (${what})`);
  }

  /** An open `alive` channel ends when LM Studio goes away, so that the panel shows it at once. */
  private watchDisconnect(client: LMStudioClient): void {
    if (this.aliveWatched) return;
    this.aliveWatched = true;
    const lost = () => {
      this.aliveWatched = false;
      this.lost('LM Studio closed the connection');
    };
    client.system.whenDisconnected().then(lost, lost);
  }

  /** A call failed because the connection did: reconnect in the background, with backoff. */
  lost(reason: string): void {
    if (this.disposed || this.current.state !== 'connected') return;
    this.setStatus({state: 'reconnecting', detail: reason});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, this.options.reconnectMs?.max ?? MAX_RECONNECT_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      // A failed attempt schedules the next one itself (connect).
      if (!this.disposed) void this.attempt();
    }, delay);
    // A one-shot command must be able to exit while mai waits for LM Studio.
    this.reconnectTimer.unref();
  }

  /** Runs one SDK call with a timeout; any failure comes out as a classified ModelError. */
  async call<T>(namespace: Namespace, what: string, kind: CallKind, run: () => Promise<T>, modelKey?: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.closeSockets([namespace]);
        reject(new ModelError('timeout', `LM Studio did not answer ${what} within ${this.timeouts.callMs} ms`, modelKey));
      }, this.timeouts.callMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      throw this.classify(error, kind, what, modelKey);
    } finally {
      clearTimeout(timer);
    }
  }

  classify(error: unknown, kind: CallKind, what: string, modelKey?: string): ModelError {
    const classified = classifyLMStudioError(error, kind, what, modelKey);
    if (classified.kind === 'backend-gone') this.lost(classified.message);
    if (classified.kind === 'timeout') {
      this.setStatus({state: 'error', detail: classified.message});
      if (this.watching) this.scheduleReconnect();
    }
    return classified;
  }

  /** Ends what is pending on these namespaces (the SDK rejects it) without waiting for LM Studio. */
  closeSockets(namespaces: readonly Namespace[]): void {
    if (this.sdkClient) terminateSockets(this.sdkClient, namespaces);
  }

  /** Stops reconnecting and closes every socket. `beforeClose` runs first while still connected. */
  async dispose(beforeClose: (client: LMStudioClient) => Promise<void>): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const client = this.sdkClient;
    if (!client) return;
    if (this.current.state === 'connected') await beforeClose(client);
    this.sdkClient = null;
    // The SDK's dispose waits for open calls (the `alive` channel never ends by itself): close the
    // sockets first so that it has nothing to wait for, and bound the wait all the same.
    terminateSockets(client, NAMESPACES);
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeouts.callMs)));
    await Promise.race([client[Symbol.asyncDispose]().catch(() => undefined), bounded]);
    clearTimeout(timer);
  }
}
