import type {LLM, LLMPredictionStats} from '@lmstudio/sdk';
import type {ChatMessage, ResponseStats, StopReason} from '../../domain.js';
import type {RespondOptions, ResponseResult} from '../backend.js';
import {ModelError} from '../model-error.js';
import type {LMStudioTimeouts} from './lmstudio-connection.js';

// One reply from a model loaded in LM Studio, streamed fragment by fragment, with the guarantees
// mai's other engine gives: a cancelled reply resolves with the partial text, a reply that stops
// arriving fails as a timeout (the SDK would wait forever for a `success` it cannot parse), and a
// dropped socket fails at once as "backend gone" (classified by the caller).

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  userStopped: 'aborted',
  maxPredictedTokensReached: 'maxTokens',
  contextLengthReached: 'maxTokens',
};

export type ReplyRequest = {
  readonly llm: LLM;
  readonly modelKey: string;
  readonly messages: readonly ChatMessage[];
  readonly options: RespondOptions & {readonly maxTokens: number; readonly temperature: number};
  readonly timeouts: Pick<LMStudioTimeouts, 'firstFragmentMs' | 'fragmentIdleMs' | 'cancelGraceMs'>;
  /** Ends the reply's socket: the SDK then rejects it instead of waiting on. */
  readonly closeSocket: () => void;
  readonly classify: (error: unknown) => ModelError;
};

function statsOf(stats: LLMPredictionStats | undefined, started: number, firstAt: number, stopReason: StopReason): ResponseStats {
  const ended = performance.now();
  const tokensOut = stats?.predictedTokensCount ?? 0;
  const generating = firstAt ? (ended - firstAt) / 1000 : 0;
  return {
    tokensIn: stats?.promptTokensCount ?? 0,
    tokensOut,
    timeToFirstTokenMs: stats?.timeToFirstTokenSec !== undefined ? stats.timeToFirstTokenSec * 1000 : (firstAt || ended) - started,
    tokensPerSecond: stats?.tokensPerSecond ?? (tokensOut > 1 && generating > 0 ? (tokensOut - 1) / generating : 0),
    totalMs: ended - started,
    stopReason,
  };
}

export function streamReply({llm, modelKey, messages, options, timeouts, closeSocket, classify}: ReplyRequest): Promise<ResponseResult> {
  const {signal, onText} = options;
  const controller = new AbortController();
  const started = performance.now();
  let firstAt = 0;
  let text = '';
  return new Promise<ResponseResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error: ModelError | null, result?: ResponseResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(result as ResponseResult);
    };
    // One timer per quiet spell, not one per fragment (thousands a second on a small model): each
    // fragment only moves the deadline, and the timer re-arms itself for what is left of it.
    let deadline = started + timeouts.firstFragmentMs;
    const watch = () => {
      const left = deadline - performance.now();
      if (left > 0) {
        timer = setTimeout(watch, left);
        return;
      }
      const waited = firstAt ? timeouts.fragmentIdleMs : timeouts.firstFragmentMs;
      controller.abort();
      closeSocket();
      finish(new ModelError('timeout', `LM Studio sent nothing for ${waited} ms`, modelKey));
    };
    // LM Studio normally ends a cancelled reply at once; if it does not, mai ends it itself.
    const onAbort = () => {
      controller.abort();
      clearTimeout(timer);
      timer = setTimeout(() => {
        closeSocket();
        finish(null, {text, stats: statsOf(undefined, started, firstAt, 'aborted')});
      }, timeouts.cancelGraceMs);
    };
    timer = setTimeout(watch, timeouts.firstFragmentMs);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, {once: true});
    let prediction: ReturnType<LLM['respond']>;
    try {
      prediction = llm.respond(
        messages.map((message) => ({role: message.role, content: message.content})),
        {
          maxTokens: options.maxTokens,
          temperature: options.temperature,
          signal: controller.signal,
          onPredictionFragment: (fragment) => {
            if (settled) return;
            const now = performance.now();
            if (!firstAt) firstAt = now;
            if (!controller.signal.aborted) deadline = now + timeouts.fragmentIdleMs;
            text += fragment.content;
            onText?.(fragment.content);
          },
        },
      );
    } catch (error) {
      finish(classify(error));
      return;
    }
    prediction.then(
      (result) => {
        const reason = result.stats.stopReason;
        if (reason === 'modelUnloaded' || reason === 'failed') {
          const why = reason === 'modelUnloaded' ? 'the model was unloaded in LM Studio' : 'LM Studio failed while writing the reply';
          finish(new ModelError('crashed', why, modelKey));
          return;
        }
        finish(null, {text, stats: statsOf(result.stats, started, firstAt, STOP_REASONS[reason] ?? 'eos')});
      },
      (error: unknown) => {
        if (!settled) finish(classify(error));
      },
    );
  });
}
