import http from 'node:http';

// Is LM Studio there? One GET of `/lmstudio-greeting` (answered `{"lmstudio":true}` by LM Studio's
// server, and required by its own `lms` CLI before it talks to a server), bounded by a timeout.
// It runs before the SDK is even imported (importing it costs ~90 ms): with LM Studio not running
// the connection is refused in a few milliseconds and mai starts as if LM Studio did not exist.

export type ProbeResult = {readonly ok: true} | {readonly ok: false; readonly reason: string};

const MAX_BODY_BYTES = 4096;

/** The http(s) URL of the greeting for a ws(s) base URL (a path prefix, as behind a proxy, is kept). */
export function greetingUrl(baseUrl: string): URL {
  const url = new URL(baseUrl.replace(/^ws/i, 'http'));
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/lmstudio-greeting`;
  return url;
}

export function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl.replace(/^ws/i, 'http')).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}

export async function probeLMStudio(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const url = greetingUrl(baseUrl);
  const transport = url.protocol === 'https:' ? await import('node:https') : http;
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    // agent: false so that no kept-alive socket holds the process open after the answer.
    const request = transport.get(url, {agent: false, headers: {accept: 'application/json'}}, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY_BYTES) settle({ok: false, reason: 'the server at this address is not LM Studio'});
      });
      response.on('end', () => {
        let greeting: unknown;
        try {
          greeting = JSON.parse(body);
        } catch {
          greeting = null;
        }
        const isLMStudio = response.statusCode === 200 && (greeting as {lmstudio?: unknown} | null)?.lmstudio === true;
        settle(isLMStudio ? {ok: true} : {ok: false, reason: 'the server at this address is not LM Studio'});
      });
      response.on('error', (error) => settle({ok: false, reason: error.message}));
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ok: false, reason: error.code === 'ECONNREFUSED' ? 'not running (connection refused)' : error.code ?? error.message}),
    );
    const timer = setTimeout(() => settle({ok: false, reason: `no answer within ${timeoutMs} ms`}), timeoutMs);
  });
}
