import {createServer, type Server} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {WebSocketServer, type RawData, type WebSocket} from 'ws';
import {errorMessage} from '../../src/backends/model-error.js';
import type {SerializedError} from './lmstudio-fixtures.js';

// The transport half of the LM Studio emulator: @lmstudio/sdk 1.5.0's wire protocol (shared
// notes/lmstudio-sdk-1.5.0-protocol.md). An HTTP server answers `/lmstudio-greeting`; one WebSocket
// per namespace (`/llm`, `/system`, …) starts with the auth packet, then carries raw JSON envelopes:
// rpcCall → rpcResult | rpcError, channelCreate / channelSend → channelSend | channelClose |
// channelError. What the endpoints do is the emulator's (lmstudio-emulator.ts).

const NAMESPACES = new Set(['llm', 'embedding', 'system', 'diagnostics', 'files', 'repository', 'plugins']);

/** An error with the shape LM Studio sends (`{title, cause?, suggestion?}`). */
export class WireError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.title);
  }
}

function serialize(error: unknown): SerializedError {
  if (error instanceof WireError) return error.serialized;
  return {title: errorMessage(error)};
}

export type Channel = {
  send(message: unknown): void;
  close(): void;
  fail(error: SerializedError): void;
  onMessage?: (message: {type?: string}) => void;
  /** Aborted when the channel ends, its socket included. */
  readonly signal: AbortSignal;
  readonly connection: WebSocket;
};

export type WireHandlers = {
  rpc(endpoint: string, parameter: unknown): Promise<unknown>;
  channel(endpoint: string, parameter: unknown, channel: Channel): Promise<void>;
  /** Accept TCP connections and drop them at once (a fault). */
  refuseConnections(): boolean;
  /** A result to send instead of the real one (a fault), or undefined. */
  malformedResult(): unknown;
};

export type WireOptions = {
  readonly port: number;
  readonly host: string;
  readonly handlers: WireHandlers;
  readonly log?: (line: string) => void;
};

export class WireServer {
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
  private readonly sockets = new Set<Socket>();
  private readonly wss = new WebSocketServer({noServer: true});
  private server: Server;
  private port: number;

  private constructor(private readonly options: WireOptions) {
    this.port = options.port;
    this.server = this.createHttpServer();
  }

  static async start(options: WireOptions): Promise<WireServer> {
    const wire = new WireServer(options);
    await wire.listen();
    return wire;
  }

  get url(): string {
    return `ws://${this.options.host}:${this.port}`;
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
      if (this.options.handlers.refuseConnections()) {
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
      this.server.listen(this.port, this.options.host, () => {
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
  }

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
        this.options.handlers.rpc(endpoint, message.parameter).then(
          (result) => send({type: 'rpcResult', callId, result: this.options.handlers.malformedResult() ?? result}),
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
        this.options.handlers.channel(endpoint, message.creationParameter, channel).catch((error: unknown) => channel.fail(serialize(error)));
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
}
