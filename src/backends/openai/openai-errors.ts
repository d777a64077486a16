import {STATUS_CODES} from 'node:http';
import {APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError} from 'openai';
import {sanitizeForTerminal} from '../../util/sanitize.js';
import {errorMessage, ModelError, type ModelErrorKind} from '../model-error.js';

// What the openai client (and fetch under it) throws, as mai's classified errors with one readable
// line. What a server says is never trusted to be short, plain or free of secrets: OpenAI itself
// echoes the key it refused ("Incorrect API key provided: sk-…"), a reverse proxy answers a 502
// with a page of HTML. So an auth failure is described by mai alone, an HTML body by its status
// alone, and any other text is sanitized, cut to one line, and scrubbed of the key.

export type ErrorContext = {
  /** The host's name, as the user wrote it in the config ("gpu-box"). */
  readonly host: string;
  /** What mai was doing: "listing models", "the reply of qwen2.5-7b". */
  readonly what: string;
  /** Whether this was a load, a reply or any other call: decides the kind of a server's error. */
  readonly call: 'load' | 'respond' | 'call';
  readonly modelKey?: string;
  /** The key mai sent, so that it can be cut out of anything a server echoes. */
  readonly apiKey?: string;
  /** The environment variable the key came from, for the message. */
  readonly apiKeyVar?: string;
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|SSL/;
const MAX_DETAIL = 160;

/** The chain of causes of an error (fetch wraps the socket's error: "fetch failed" ← ECONNREFUSED). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && chain.length < 6) {
    chain.push(current);
    current = (current as {cause?: unknown}).cause;
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  for (const link of causes(error)) {
    const code = (link as {code?: unknown} | null)?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** One printable line, at most MAX_DETAIL characters, with the key cut out wherever it appears. */
export function oneLine(text: string, apiKey?: string): string {
  let line = sanitizeForTerminal(text).replace(/\s+/g, ' ').trim();
  if (apiKey) line = line.split(apiKey).join('[key]');
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

/** The server's own explanation, when it gave one in JSON; never an HTML page. */
function serverDetail(error: APIError): string | null {
  const body = error.error as {message?: unknown} | string | undefined;
  const message = typeof body === 'string' ? body : body?.message;
  if (typeof message !== 'string' || message.trim() === '' || /^\s*</.test(message)) return null;
  return message;
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'error'}`;
}

/** A dropped socket or a refused connection: the host went away (or was never there). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof APIConnectionError && !(error instanceof APIConnectionTimeoutError)) return true;
  const code = codeOf(error);
  if (code && CONNECTION_CODES.has(code)) return true;
  // undici ends a body whose socket closed early with TypeError("terminated").
  return causes(error).some((link) => link instanceof Error && /^(terminated|fetch failed|other side closed)$/i.test(link.message));
}

export function classifyOpenAIError(error: unknown, context: ErrorContext): ModelError {
  if (error instanceof ModelError) return error;
  const {host, what, call, modelKey, apiKey} = context;
  const make = (kind: ModelErrorKind, message: string) => new ModelError(kind, oneLine(message, apiKey), modelKey);
  if (error instanceof APIUserAbortError) return make('aborted', `${what} was cancelled`);
  if (error instanceof APIConnectionTimeoutError) return make('timeout', `${host} did not answer ${what} in time`);
  if (error instanceof APIError && error.status !== undefined) return fromStatus(error, error.status, context);
  const code = codeOf(error);
  if (code && TLS_CODES.test(code)) {
    return make('backend-gone', `${host}: the TLS certificate was not accepted (${code}); turn tls verification off for this host only if you trust it`);
  }
  if (isConnectionFailure(error)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : 'connection lost';
    return make('backend-gone', `${host} went away during ${what} (${why})`);
  }
  if (error instanceof SyntaxError) return make(call === 'load' ? 'load-failed' : 'crashed', `${host} sent something that is not JSON during ${what}`);
  return make(call === 'load' ? 'load-failed' : 'crashed', `${host}: ${what} failed (${errorMessage(error)})`);
}

function fromStatus(error: APIError, status: number, context: ErrorContext): ModelError {
  const {host, what, call, modelKey, apiKey, apiKeyVar} = context;
  const make = (kind: ModelErrorKind, message: string) => new ModelError(kind, oneLine(message, apiKey), modelKey);
  if (status === 401 || status === 403) {
    // mai's words only: the server's text may quote the key.
    const which = apiKeyVar ? `the key in $${apiKeyVar}` : 'the API key';
    const message = apiKey ? `${host} refused ${which} (${statusLine(status)})` : `${host} wants an API key (${statusLine(status)}): name its environment variable in the host's config`;
    return make('load-failed', message);
  }
  const detail = serverDetail(error);
  const line = `${host} answered ${statusLine(status)} to ${what}${detail ? `: ${detail}` : ''}`;
  if (status === 404) return make('not-found', line);
  if (status === 408 || status === 504) return make('timeout', line);
  if (status === 502 || status === 503) return make('backend-gone', line);
  return make(call === 'load' ? 'load-failed' : 'crashed', line);
}
