import type {ConnectionState} from '../../domain.js';
import type {BackendConnection, ConnectionStatus} from '../backend.js';
import {ModelError} from '../model-error.js';

// Whether one OpenAI-compatible host can be reached, followed live for the panel and `mai status`:
// a check is one `GET /v1/models` (the one endpoint every such server has), timed, so each success
// also measures the host's latency. While the host is down, watch() checks again with backoff;
// while it is up, a slow heartbeat keeps the latency current and notices a host that went away
// between two replies. A request that fails because the host went away reports it here (lost()).

export type ReconnectTimings = {
  /** First delay after a failed check; doubled after each failure up to `maxMs`. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** Between two checks while connected (and watching). */
  readonly heartbeatMs: number;
};

export const DEFAULT_RECONNECT: ReconnectTimings = {initialMs: 500, maxMs: 10_000, heartbeatMs: 15_000};

/** A failed check is not worth repeating sooner than this outside the backoff (available()). */
const RECHECK_MS = 1000;

export type ConnectionOptions = {
  /** The host's name, what the user calls it. */
  readonly name: string;
  readonly url: string;
  /** One round trip to the server; throws a classified ModelError when it fails. */
  readonly check: () => Promise<void>;
  readonly reconnect?: Partial<ReconnectTimings>;
  readonly onChange?: (status: ConnectionStatus) => void;
};

export class OpenAIConnection implements BackendConnection {
  readonly name: string;
  private current: ConnectionStatus;
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();
  private readonly timings: ReconnectTimings;
  private checking: Promise<boolean> | null = null;
  private checkedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private watching = false;
  private disposed = false;

  constructor(private readonly options: ConnectionOptions) {
    this.name = options.name;
    this.timings = {...DEFAULT_RECONNECT, ...options.reconnect};
    this.backoffMs = this.timings.initialMs;
    this.current = {state: 'checking', url: options.url, version: null, detail: null, latencyMs: null};
  }

  status(): ConnectionStatus {
    return this.current;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watch(): void {
    this.watching = true;
    if (this.current.state === 'connected') this.schedule(this.timings.heartbeatMs);
    else if (this.current.state === 'checking') void this.check();
    else this.scheduleRetry();
  }

  /** True when connected; else checks now, unless a check just failed or a retry is scheduled. */
  async available(): Promise<boolean> {
    if (this.disposed) return false;
    if (this.current.state === 'connected') return true;
    if (this.current.state !== 'checking' && (this.watching || Date.now() - this.checkedAt < RECHECK_MS)) return false;
    return this.check();
  }

  /** One check at a time: whoever asks while one runs gets its answer. */
  check(): Promise<boolean> {
    this.checking ??= this.runCheck().finally(() => (this.checking = null));
    return this.checking;
  }

  private async runCheck(): Promise<boolean> {
    this.checkedAt = Date.now();
    const started = performance.now();
    try {
      await this.options.check();
      if (this.disposed) return false;
      this.reached(performance.now() - started);
      return true;
    } catch (error) {
      if (this.disposed) return false;
      this.failed(error);
      return false;
    }
  }

  /**
   * A round trip to the server succeeded (a check, or a model list the backend fetched anyway):
   * connected, with this latency.
   */
  reached(latencyMs: number): void {
    if (this.disposed) return;
    this.checkedAt = Date.now();
    this.backoffMs = this.timings.initialMs;
    this.setStatus({state: 'connected', detail: null, latencyMs: Math.round(latencyMs * 10) / 10});
    if (this.watching) this.schedule(this.timings.heartbeatMs);
  }

  /** A request failed: the host went away (reconnect in the background), or answered an error. */
  failed(error: unknown): void {
    if (this.disposed) return;
    const gone = error instanceof ModelError && error.kind === 'backend-gone';
    const wasUp = this.current.state === 'connected' || this.current.state === 'reconnecting';
    const state: ConnectionState = gone ? (wasUp ? 'reconnecting' : 'not-running') : 'error';
    this.setStatus({state, detail: error instanceof Error ? error.message : String(error)});
    if (this.watching || state === 'reconnecting') this.scheduleRetry();
  }

  private setStatus(next: Partial<ConnectionStatus>): void {
    const status = {...this.current, ...next};
    const same = status.state === this.current.state && status.detail === this.current.detail && status.latencyMs === this.current.latencyMs;
    this.current = status;
    if (same) return;
    for (const listener of this.listeners) listener(status);
    this.options.onChange?.(status);
  }

  private scheduleRetry(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, this.timings.maxMs);
    this.schedule(delay);
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.disposed) void this.check();
    }, delayMs);
    // A one-shot command must be able to exit while mai waits for the host.
    this.timer.unref();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
