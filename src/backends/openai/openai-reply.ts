import type OpenAI from 'openai';
import type {ChatMessage, ResponseStats, StopReason} from '../../domain.js';
import type {RespondOptions, ResponseResult} from '../backend.js';
import {ModelError} from '../model-error.js';

// One streamed reply from an OpenAI-compatible server (chat completions over SSE), with the
// guarantees mai's other backends give: a cancelled reply resolves with the text so far, a reply
// that stops arriving fails as a timeout (first token, then between chunks), a dropped socket fails
// as "backend gone" (classified by the caller), and anything that is not an event stream fails as
// one clean line instead of an empty reply.

export type ReplyTimeouts = {
  /** From the request to the first piece of text (the prompt is processed in between). */
  readonly firstTokenMs: number;
  /** Between two chunks once the text flows. */
  readonly betweenChunksMs: number;
};

export type ReplyRequest = {
  readonly client: OpenAI;
  /** The model's id on the server. */
  readonly model: string;
  /** mai's key for it, for errors. */
  readonly modelKey: string;
  readonly host: string;
  readonly messages: readonly ChatMessage[];
  readonly options: RespondOptions & {readonly maxTokens: number; readonly temperature: number};
  readonly timeouts: ReplyTimeouts;
  readonly classify: (error: unknown) => ModelError;
  /** Tokens of a text when the server reports no usage (an estimate: see OpenAIBackend). */
  readonly estimateTokens: (text: string) => number;
};

const FINISH_REASONS: Readonly<Record<string, StopReason>> = {length: 'maxTokens', stop: 'eos'};

type Usage = {readonly prompt_tokens?: number; readonly completion_tokens?: number};

export async function streamReply(request: ReplyRequest): Promise<ResponseResult> {
  const {client, model, modelKey, host, messages, options, timeouts, classify} = request;
  const {signal, onText} = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', onAbort, {once: true});

  const started = performance.now();
  let firstAt = 0;
  let text = '';
  let pieces = 0;
  let usage: Usage | undefined;
  let finish: string | null = null;
  let timedOut: ModelError | null = null;

  // One timer per quiet spell, not one per chunk: each chunk only moves the deadline.
  let deadline = started + timeouts.firstTokenMs;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = deadline;
  const arm = (at: number) => {
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(watch, Math.max(0, at - performance.now()));
  };
  const moveDeadline = (at: number) => {
    deadline = at;
    // Between chunks is usually shorter than the wait for the first token: the timer comes forward.
    if (deadline < timerAt) arm(deadline);
  };
  const watch = () => {
    if (deadline > performance.now()) {
      arm(deadline);
      return;
    }
    const waited = firstAt ? `${timeouts.betweenChunksMs} ms between chunks` : `${timeouts.firstTokenMs} ms for the first token`;
    timedOut = new ModelError('timeout', `${host} sent nothing for ${waited} (${modelKey})`, modelKey);
    controller.abort();
  };
  arm(deadline);

  const stats = (stopReason: StopReason): ResponseStats => {
    const ended = performance.now();
    const tokensOut = usage?.completion_tokens ?? pieces;
    const generating = firstAt ? (ended - firstAt) / 1000 : 0;
    return {
      tokensIn: usage?.prompt_tokens ?? request.estimateTokens(messages.map((m) => m.content).join('\n')),
      tokensOut,
      timeToFirstTokenMs: (firstAt || ended) - started,
      // From the first token on: the time before it is the prompt's, reported as timeToFirstTokenMs.
      tokensPerSecond: tokensOut > 1 && generating > 0 ? (tokensOut - 1) / generating : 0,
      totalMs: ended - started,
      stopReason,
    };
  };
  const aborted = (): ResponseResult => ({text, stats: stats('aborted')});

  try {
    const {data: stream, response} = await client.chat.completions
      .create(
        {
          model,
          messages: messages.map((message) => ({role: message.role, content: message.content})),
          stream: true,
          stream_options: {include_usage: true},
          max_tokens: options.maxTokens,
          temperature: options.temperature,
        },
        // The client's own timeout covers the wait for the headers; the watchdog above, the rest.
        {signal: controller.signal, timeout: timeouts.firstTokenMs},
      )
      .withResponse();
    const contentType = response.headers.get('content-type') ?? '';
    if (!/^text\/event-stream/i.test(contentType)) {
      controller.abort();
      throw new ModelError('crashed', `${host} did not answer with an event stream (content-type: ${contentType || 'none'})`, modelKey);
    }
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finish = choice.finish_reason;
      const content = choice?.delta?.content;
      if (typeof content !== 'string' || content === '') {
        if (firstAt) moveDeadline(performance.now() + timeouts.betweenChunksMs);
        continue;
      }
      const now = performance.now();
      if (!firstAt) firstAt = now;
      moveDeadline(now + timeouts.betweenChunksMs);
      text += content;
      pieces += 1;
      onText?.(content);
      if (signal?.aborted) break;
    }
  } catch (error) {
    if (timedOut) throw timedOut;
    if (signal?.aborted) return aborted();
    throw classify(error);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  // The client ends an aborted stream quietly.
  if (timedOut) throw timedOut;
  if (signal?.aborted) return aborted();
  return {text, stats: stats(FINISH_REASONS[finish ?? 'stop'] ?? 'eos')};
}
