import http from 'node:http';
import https from 'node:https';
import {Readable} from 'node:stream';

// A fetch for one host whose TLS certificate the user chose not to verify (`tls_verify: false`, a
// self-signed certificate on a box under the desk). Node 20's fetch is undici, and the only way to
// change its TLS checks per request is a dispatcher (`new undici.Agent({connect: {rejectUnauthorized:
// false}})`) from the undici package, which mai does not depend on; the process-wide switch
// (NODE_TLS_REJECT_UNAUTHORIZED) would turn verification off for every other host too. So the
// openai client of that one host gets this fetch on node:https with an agent of its own; every other
// host keeps the global fetch and full verification.

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function unverifiedTlsFetch(): typeof fetch {
  const agent = new https.Agent({rejectUnauthorized: false, keepAlive: true});
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(headers.entries()),
        ...(url.protocol === 'https:' ? {agent} : {}),
      });
      const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      signal?.addEventListener('abort', onAbort, {once: true});
      request.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new TypeError('fetch failed', {cause: error}));
      });
      request.on('response', (response) => {
        response.on('close', () => signal?.removeEventListener('abort', onAbort));
        const status = response.statusCode ?? 500;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const body = NO_BODY_STATUSES.has(status) ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        resolve(new Response(body, {status, statusText: response.statusMessage ?? '', headers: responseHeaders}));
      });
      const body = init?.body;
      if (body === undefined || body === null) request.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) request.end(body);
      else if (body instanceof ArrayBuffer) request.end(Buffer.from(body));
      else {
        request.destroy();
        reject(new TypeError('mai sends only string or byte bodies to a server'));
      }
    });
}
