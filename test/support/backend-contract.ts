import {afterAll, afterEach, beforeAll, expect, it} from 'vitest';
import type {ModelBackend, ModelHandle} from '../../src/backends/backend.js';
import {isModelError} from '../../src/backends/model-error.js';
import {TEST_MODELS, type TestModelKey} from './models.js';
import {keyOf} from './sandbox.js';

// What every ModelBackend must do, the same scenarios for each: the ModelManager and Mai rely on
// exactly this and nothing more, so a backend that passes here can be plugged in beside the others.

/** The forged models the scenarios use; a subject serves at least these. */
export const CONTRACT_MODELS = ['tiny', 'looping', 'slow'] as const satisfies readonly TestModelKey[];

export type ContractSubject = {
  readonly name: string;
  /**
   * Whether mai owns what it loads (default true). False for a server that loads its models itself
   * (an OpenAI-compatible host): its handles say ownedByMai false, and unload only lets go of them.
   */
  readonly ownsLoads?: boolean;
  /** Starts the backend (and whatever it talks to) serving CONTRACT_MODELS. */
  start(models: readonly TestModelKey[]): Promise<StartedBackend>;
};

export type StartedBackend = {
  readonly backend: ModelBackend;
  /** Checks after each scenario that belong to this backend (nothing the SDK complained about). */
  readonly afterScenario?: () => void;
  stop(): Promise<void>;
};

/** Registers the contract's scenarios for `subject`, inside the caller's describe. */
export function registerBackendContract(subject: ContractSubject): void {
  let started: StartedBackend;
  let backend: ModelBackend;
  const loaded: ModelHandle[] = [];

  /** Loads for one scenario; whatever a scenario leaves loaded goes after it, even when it failed. */
  async function load(model: TestModelKey, contextLength: number, onProgress?: (fraction: number) => void): Promise<ModelHandle> {
    const handle = await backend.load(keyOf(model), {contextLength, ...(onProgress ? {onProgress} : {})});
    loaded.push(handle);
    return handle;
  }

  beforeAll(async () => {
    started = await subject.start(CONTRACT_MODELS);
    backend = started.backend;
  });

  afterEach(async () => {
    for (const handle of loaded.splice(0)) await backend.unload(handle);
    started.afterScenario?.();
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('lists the models it serves, each with the context length its file declares', async () => {
    const models = await backend.listModels();
    const byKey = new Map(models.map((model) => [model.key, model]));
    for (const model of CONTRACT_MODELS) {
      expect(byKey.get(keyOf(model)), keyOf(model)).toMatchObject({backendId: backend.id, contextLength: TEST_MODELS[model].spec?.contextLength});
    }
  });

  it('loads a model with the context length asked for, reporting progress up to the end', async () => {
    const progress: number[] = [];
    const handle = await load('tiny', 256, (fraction) => progress.push(fraction));
    expect(handle).toMatchObject({key: keyOf('tiny'), backendId: backend.id, contextLength: 256, ownedByMai: subject.ownsLoads ?? true});
    expect(backend.contextLength(handle)).toBe(256);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect((await backend.listLoaded()).map((listed) => listed.id)).toContain(handle.id);
  });

  it('streams a reply chunk by chunk that adds up to the answer, with sane stats', async () => {
    // The slow model writes a token every ~50 ms: each one reaches the caller on its own.
    const handle = await load('slow', 1024);
    const chunks: string[] = [];
    const result = await backend.respond(handle, [{role: 'user', content: 'Hello there'}], {onText: (chunk) => chunks.push(chunk)});
    expect(result.text).toBe(TEST_MODELS.slow.message);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(result.text);
    expect(result.stats.stopReason).toBe('eos');
    expect(result.stats.tokensOut).toBeGreaterThan(10);
    expect(result.stats.tokensIn).toBeGreaterThan(0);
    expect(result.stats.tokensPerSecond).toBeGreaterThan(0);
  });

  it('stops a reply on abort, resolves with the text so far, and answers the next request', async () => {
    // The looping model never stops by itself: only the abort can end this reply.
    const handle = await load('looping', 512);
    const controller = new AbortController();
    let streamed = '';
    let atAbort = '';
    const result = await backend.respond(handle, [{role: 'user', content: 'go'}], {
      maxTokens: 100_000,
      signal: controller.signal,
      onText: (chunk) => {
        streamed += chunk;
        if (controller.signal.aborted) return;
        atAbort = streamed;
        controller.abort();
      },
    });
    expect(result.stats.stopReason).toBe('aborted');
    expect(atAbort).not.toBe('');
    expect(result.text.startsWith(atAbort)).toBe(true);
    expect(result.text).toBe(streamed);
    const message = TEST_MODELS.looping.message ?? '';
    expect(message.startsWith(result.text.slice(0, message.length))).toBe(true);

    const again = await backend.respond(handle, [{role: 'user', content: 'again'}], {maxTokens: 5});
    expect(again.stats.stopReason).toBe('maxTokens');
    expect(again.text).not.toBe('');
  });

  it("counts tokens with the model's own tokenizer, one text or many alike", async () => {
    const handle = await load('tiny', 512);
    const shortText = 'hi';
    const longText = 'a much longer sentence that has many more tokens in it';
    const short = await backend.countTokens(handle, shortText);
    const long = await backend.countTokens(handle, longText);
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short * 5);
    // An optional capability: where a backend has it, it must agree with countTokens.
    if (backend.countTokensMany) expect(await backend.countTokensMany(handle, [shortText, longText])).toEqual([short, long]);
  });

  it('unloads a model: no longer listed as loaded, and a reply on its old handle fails as a ModelError', async () => {
    const handle = await load('tiny', 512);
    loaded.splice(0);
    await backend.unload(handle);
    expect((await backend.listLoaded()).map((listed) => listed.id)).not.toContain(handle.id);
    // Called through an async function: a backend may throw before it returns a promise.
    const error = await backend.respond(handle, [{role: 'user', content: 'hi'}]).catch((e: unknown) => e);
    expect(isModelError(error)).toBe(true);
  });
}
