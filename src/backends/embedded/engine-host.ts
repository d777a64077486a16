// The child-process side of the embedded engine: one model per process (DESIGN.md §3). llama.cpp
// aborts the whole process on some malformed files (a GGML_ASSERT is not an exception), so the
// engine never runs inside the UI process; killing this process also frees all of its memory.
import process from 'node:process';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import type {ChatHistoryItem, Llama, LlamaChat, LlamaContext, LlamaContextSequence, LlamaModel} from 'node-llama-cpp';
import type {ChatMessage, ResponseStats} from '../../domain.js';
import type {EngineSettings, HostMessage, LoadRequest, ParentMessage} from './engine-protocol.js';

type Loaded = {
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
  threads: number;
  /** A chat on another sequence, with the same template (isolated requests). */
  chatOn: (sequence: LlamaContextSequence) => LlamaChat;
};

const RECENT_LOG_LINES = 12;
const recentLog: string[] = [];
let loaded: Loaded | null = null;
const running = new Map<number, AbortController>();
// One reply at a time per sequence: a second request waits for the first to end.
let queue: Promise<void> = Promise.resolve();

function send(message: HostMessage): void {
  process.send?.(message);
}

function remember(line: string): void {
  recentLog.push(line);
  if (recentLog.length > RECENT_LOG_LINES) recentLog.shift();
}

/** llama.cpp reports why a load failed only in its log ("tensor ... not within the file bounds"). */
function loadFailureReason(error: unknown): string {
  const base = error instanceof Error ? error.message : String(error);
  const detail = recentLog.filter((line) => /error|fail|invalid|bounds|not /i.test(line)).at(-1);
  return detail && !base.includes(detail) ? `${base}: ${detail}` : base;
}

type Engine = {llamaCpp: typeof NodeLlamaCpp; llama: Llama; settings: EngineSettings};
let engine: Promise<Engine> | null = null;

/** Imports node-llama-cpp and loads its binding: most of a load's time, done before a model is asked for. */
async function startEngine(settings: EngineSettings): Promise<Engine> {
  const llamaCpp = await import('node-llama-cpp');
  const llama = await llamaCpp.getLlama({
    gpu: settings.gpu,
    build: 'never',
    maxThreads: settings.threads,
    logLevel: llamaCpp.LlamaLogLevel.warn,
    logger: (level, message) => {
      const line = message.trim();
      if (!line) return;
      remember(line);
      send({type: 'log', level: String(level), message: line});
    },
  });
  return {llamaCpp, llama, settings};
}

async function load(request: LoadRequest): Promise<void> {
  if (!engine) throw new Error('the engine was not started');
  const {llamaCpp, llama, settings} = await engine;
  // The empty engine's footprint, taken in this very process just before its model arrives: the
  // same Node, binding and GPU backend as the measurement after it, so their difference is the model.
  const empty = await memoryNow(llama);
  const model = await llama.loadModel({
    modelPath: request.path,
    onLoadProgress: (fraction) => send({type: 'progress', fraction}),
  });
  const contextSize = Math.min(request.contextSize, model.trainContextSize);
  const context = await model.createContext({contextSize, threads: settings.threads});
  // Detection of the chat template costs 300-500 ms; demo models are known to be ChatML.
  const chatWrapper = request.chatTemplate === 'chatml' ? new llamaCpp.ChatMLChatWrapper() : 'auto';
  const chat = new llamaCpp.LlamaChat({contextSequence: context.getSequence(), chatWrapper});
  const chatOn = (contextSequence: LlamaContextSequence) => new llamaCpp.LlamaChat({contextSequence, chatWrapper: chat.chatWrapper});
  const current: Loaded = {model, context, chat, threads: settings.threads, chatOn};
  loaded = current;
  send({type: 'loaded', contextLength: context.contextSize, gpu: llama.gpu, gpuLayers: model.gpuLayers});
  // Queued like a reply, so it never runs alongside one; a reply asked for at once waits one token.
  queue = queue.then(() => measureWhenResident(llama, current, empty)).catch(() => undefined);
}

type MemoryNow = {readonly rssBytes: number; readonly vramUsedBytes: number};

async function memoryNow(llama: Llama): Promise<MemoryNow> {
  const vramUsedBytes = llama.gpu === false ? 0 : (await llama.getVramState()).used;
  return {rssBytes: process.memoryUsage.rss(), vramUsedBytes};
}

/**
 * The model's memory once it is really resident. Measured on the forged demo models (Linux, CPU):
 * llama.cpp maps the weights with MAP_POPULATE, so they are in RSS as soon as the load returns,
 * and the KV cache is cleared (so touched) when the context is made; what is still missing is the
 * compute buffer, touched by the first evaluation (+0.5 to +2.5 MB, a tenth of the small demo
 * model's own part). After a one-token evaluation RSS moved by under 0.5 MB over the next replies.
 * Where weights are not prefetched (macOS), the same evaluation reads every layer's weights.
 * From one engine process to the next the empty engine varies by about ±2 MB (Node's heap); a
 * forced GC before each reading (--expose-gc) cost 30-120 ms and did not make it steadier.
 */
async function measureWhenResident(llama: Llama, current: Loaded, empty: MemoryNow): Promise<void> {
  const {sequence} = current.chat;
  const token = current.model.tokens.bos ?? current.model.tokenize('\n')[0];
  if (token !== undefined) {
    await sequence.evaluateWithoutGeneratingNewTokens([token]);
    // LlamaChat then finds the sequence empty and evaluates its first prompt whole, as it would have.
    await sequence.clearHistory();
  }
  const now = await memoryNow(llama);
  send({type: 'measured', baselineBytes: empty.rssBytes, residentBytes: now.rssBytes, vramBytes: Math.max(0, now.vramUsedBytes - empty.vramUsedBytes)});
}

function toHistory(messages: readonly ChatMessage[], continueFrom = ''): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return {type: 'system', text: message.content};
    if (message.role === 'user') return {type: 'user', text: message.content};
    return {type: 'model', response: [message.content]};
  });
  // LlamaChat continues the last model response: an empty one asks for a new reply, the start of
  // one (written by another model before a switch) is gone on from.
  history.push({type: 'model', response: continueFrom ? [continueFrom] : []});
  return history;
}

/** The prompt exactly as generateResponse renders it (same history, same chat wrapper), in tokens. */
function promptTokens({chat, model}: Loaded, messages: readonly ChatMessage[]): number {
  const {contextText} = chat.chatWrapper.generateContextState({chatHistory: toHistory(messages)});
  return contextText.tokenize(model.tokenizer).length;
}

const ABORTED_BEFORE_START: ResponseStats = {tokensIn: 0, tokensOut: 0, timeToFirstTokenMs: 0, tokensPerSecond: 0, totalMs: 0, stopReason: 'aborted'};

/**
 * A context of its own for an isolated request (a summary), sized to it, disposed after it: the
 * conversation's sequence keeps its cache, so the next reply does not evaluate its whole prompt
 * again. It costs the KV memory of this request's tokens for as long as it runs.
 */
async function isolatedChat(current: Loaded, messages: readonly ChatMessage[], maxTokens: number): Promise<{chat: LlamaChat; dispose: () => Promise<void>}> {
  const size = Math.min(current.context.contextSize, promptTokens(current, messages) + maxTokens + 8);
  const context = await current.model.createContext({contextSize: size, threads: current.threads});
  return {chat: current.chatOn(context.getSequence()), dispose: () => context.dispose()};
}

async function respond(id: number, controller: AbortController, request: Extract<ParentMessage, {type: 'respond'}>) {
  if (!loaded) throw new Error('no model loaded');
  const {messages, maxTokens, temperature} = request;
  if (controller.signal.aborted) {
    send({type: 'done', id, text: '', stats: ABORTED_BEFORE_START});
    return;
  }
  const isolated = request.isolated ? await isolatedChat(loaded, messages, maxTokens) : null;
  const chat = isolated?.chat ?? loaded.chat;
  const meter = chat.sequence.tokenMeter;
  const inputBefore = meter.usedInputTokens;
  const started = performance.now();
  let firstTokenAt = 0;
  let tokensOut = 0;
  let written = '';
  const chunks = chunkSender(id);
  const statsNow = (stopReason: ResponseStats['stopReason']): ResponseStats => {
    const ended = performance.now();
    const generating = firstTokenAt ? (ended - firstTokenAt) / 1000 : 0;
    return {
      tokensIn: meter.usedInputTokens - inputBefore,
      tokensOut,
      timeToFirstTokenMs: firstTokenAt ? firstTokenAt - started : ended - started,
      // The first token's time is prompt processing: decode speed counts the tokens after it.
      tokensPerSecond: tokensOut > 1 && generating > 0 ? (tokensOut - 1) / generating : 0,
      totalMs: ended - started,
      stopReason,
    };
  };
  try {
    const result = await chat.generateResponse(toHistory(messages, request.continueFrom), {
      maxTokens,
      temperature,
      signal: controller.signal,
      stopOnAbortSignal: true,
      onToken: (tokens) => {
        if (firstTokenAt === 0) firstTokenAt = performance.now();
        tokensOut += tokens.length;
      },
      onTextChunk: (text) => {
        written += text;
        chunks.push(text);
      },
    });
    chunks.flush();
    const reason = result.metadata.stopReason;
    send({type: 'done', id, text: result.response, stats: statsNow(reason === 'abort' ? 'aborted' : reason === 'maxTokens' ? 'maxTokens' : 'eos')});
  } catch (error) {
    // stopOnAbortSignal covers generation; an abort while the prompt is still being evaluated
    // rejects instead. It is a stop like any other, not an engine failure.
    if (!controller.signal.aborted) throw error;
    chunks.flush();
    send({type: 'done', id, text: written, stats: statsNow('aborted')});
  } finally {
    chunks.flush();
    running.delete(id);
    await isolated?.dispose();
  }
}

// Each IPC message costs the engine's JS thread tens of microseconds, and the next token waits for
// it: at 2,000+ tokens/s that was 10-15% of the speed. The first chunk goes at once (time to first
// token), later ones at most every CHUNK_FLUSH_MS, far below what a reader or the UI notices.
const CHUNK_FLUSH_MS = 16;

function chunkSender(id: number) {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let sentFirst = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending) send({type: 'chunk', id, text: pending});
    pending = '';
  };
  return {
    push(text: string) {
      pending += text;
      if (!sentFirst) {
        sentFirst = true;
        flush();
      } else {
        timer ??= setTimeout(flush, CHUNK_FLUSH_MS);
      }
    },
    flush,
  };
}

function fail(id: number, error: unknown): void {
  send({type: 'failed', id, message: error instanceof Error ? error.message : String(error)});
}

async function unload(): Promise<never> {
  for (const controller of running.values()) controller.abort();
  try {
    await loaded?.context.dispose();
    await loaded?.model.dispose();
  } finally {
    process.exit(0);
  }
}

function handle(message: ParentMessage): void {
  switch (message.type) {
    case 'init':
      engine = startEngine(message);
      engine.then(
        () => send({type: 'ready'}),
        (error: unknown) => {
          // Nothing can run here without an engine: say why, then end once the message is out.
          const failure: HostMessage = {type: 'init-failed', message: error instanceof Error ? error.message : String(error)};
          process.send?.(failure, () => process.exit(1));
        },
      );
      return;
    case 'load':
      load(message).catch((error: unknown) => {
        send({type: 'load-failed', message: loadFailureReason(error)});
      });
      return;
    case 'respond': {
      const {id} = message;
      // Registered before it is queued, so an abort that arrives while it waits is not lost.
      const controller = new AbortController();
      running.set(id, controller);
      queue = queue.then(() => respond(id, controller, message)).catch((error: unknown) => fail(id, error));
      return;
    }
    case 'abort':
      running.get(message.id)?.abort();
      return;
    case 'count': {
      if (!loaded) return fail(message.id, new Error('no model loaded'));
      const {model} = loaded;
      send({type: 'counted', id: message.id, tokens: message.texts.map((text) => model.tokenize(text).length)});
      return;
    }
    case 'count-prompt':
      if (!loaded) return fail(message.id, new Error('no model loaded'));
      try {
        send({type: 'counted', id: message.id, tokens: [promptTokens(loaded, message.messages)]});
      } catch (error) {
        fail(message.id, error);
      }
      return;
    case 'ping':
      send({type: 'pong', id: message.id, rssBytes: process.memoryUsage.rss()});
      return;
    case 'unload':
      void unload();
      return;
  }
}

process.on('message', (message: ParentMessage) => handle(message));
// The parent is gone (crashed or killed): a host must never outlive it and hold the model's memory.
process.on('disconnect', () => process.exit(0));
// A host is in its parent's process group, so a terminal's hangup (its window closed) or a Ctrl+C
// typed in a terminal not in raw mode (`mai ask`) reaches it too. Dying of it would cut the reply
// before mai can stop it cleanly and record it; the parent decides, and a host whose parent is
// gone exits on the disconnect above.
process.on('SIGHUP', () => undefined);
process.on('SIGINT', () => undefined);
