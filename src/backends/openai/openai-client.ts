import OpenAI from 'openai';
import {unverifiedTlsFetch} from './unverified-tls-fetch.js';

// The official openai client (6.x), set up for a server that is not OpenAI. What its defaults would
// do to mai, and what is done instead:
// - It reads OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID from the environment and sends
//   them with every request: a key meant for OpenAI would go to whatever host the user listed.
//   Everything is given explicitly, and with no key there is no Authorization header at all.
// - It retries twice on its own with its own backoff: mai's connection reconnects, and the
//   ModelManager decides about retries from the error's kind.
// - It logs to the console (a full-screen TUI's screen): logging is off; mai logs its own events.

export type ClientOptions = {
  readonly baseURL: string;
  readonly apiKey?: string;
  /** Default for each call; a call can give its own. */
  readonly timeoutMs: number;
  readonly tlsVerify: boolean;
};

/** `http://10.0.0.5:8080` and `http://10.0.0.5:8080/v1/` both become `http://10.0.0.5:8080/v1`. */
export function apiBaseURL(baseURL: string): string {
  const url = new URL(baseURL);
  const pathname = url.pathname.replace(/\/+$/, '');
  url.pathname = /\/v1$/.test(pathname) ? pathname : `${pathname}/v1`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** Where the server's own endpoints live (llama-server's /tokenize is beside /v1, not under it). */
export function serverRoot(baseURL: string): string {
  return apiBaseURL(baseURL).replace(/\/v1$/, '');
}

export function createClient(options: ClientOptions): OpenAI {
  return new OpenAI({
    baseURL: apiBaseURL(options.baseURL),
    // The client insists on a key; without one, the header it would carry is removed below.
    apiKey: options.apiKey ?? 'no-key',
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    logLevel: 'off',
    ...(options.apiKey ? {} : {defaultHeaders: {Authorization: null}}),
    ...(options.tlsVerify ? {} : {fetch: unverifiedTlsFetch()}),
  });
}
