// The forged models against the real engine (node-llama-cpp, no mocks), through the same path the
// engine host uses: LlamaChat + ChatMLChatWrapper + generateResponse.

import {spawn} from 'node:child_process';
import {mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {
  ChatMLChatWrapper,
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  readGgufFileInfo,
  type ChatHistoryItem,
  type Llama,
  type LlamaModel,
} from 'node-llama-cpp';
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest';
import {
  DEMO_MODELS,
  demoModelFileName,
  forgeDemoModels,
  forgedFileSize,
  forgeModel,
  type ForgeSpec,
} from '../../src/backends/embedded/demo-models.js';
import {ggufFileSize, writeGguf, type GgufFile} from '../../src/backends/embedded/gguf-writer.js';
import {TEST_MODELS, testModelPath, type TestModelKey} from '../support/models.js';

const modelDir = inject('modelDir');
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MB = 1_000_000;

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error});
});

type Answer = {text: string; streamed: string; stopReason: string};

async function ask(
  model: LlamaModel,
  history: ChatHistoryItem[],
  options: {temperature?: number; maxTokens?: number; autoWrapper?: boolean} = {},
): Promise<Answer> {
  const context = await model.createContext({contextSize: Math.min(1024, model.trainContextSize), threads: 1});
  try {
    const chat = new LlamaChat({
      contextSequence: context.getSequence(),
      chatWrapper: options.autoWrapper ? 'auto' : new ChatMLChatWrapper(),
    });
    let streamed = '';
    const result = await chat.generateResponse(history, {
      maxTokens: options.maxTokens ?? 200,
      temperature: options.temperature ?? 0,
      onTextChunk: (chunk) => {
        streamed += chunk;
      },
    });
    return {text: result.response, streamed, stopReason: result.metadata.stopReason};
  } finally {
    await context.dispose();
  }
}

const user = (text: string): ChatHistoryItem => ({type: 'user', text});
const reply = (text: string): ChatHistoryItem => ({type: 'model', response: [text]});
// generateResponse completes the last item, so a fresh answer starts from an empty model turn.
const fresh = (...items: ChatHistoryItem[]): ChatHistoryItem[] => [...items, {type: 'model', response: []}];

describe('the demo models', () => {
  it.each(DEMO_MODELS.map((spec) => [spec.name, spec] as const))('%s is forged as specified', async (_, spec) => {
    const path = join(modelDir, demoModelFileName(spec));
    const size = (await stat(path)).size;
    expect(size).toBe(forgedFileSize(spec));
    const info = await readGgufFileInfo(path);
    const metadata = info.metadata as unknown as {
      general: {name: string; architecture: string};
      llama: {context_length: number};
      mai: {demo: boolean; tier: string; message: string};
    };
    expect(metadata.general).toMatchObject({name: spec.name, architecture: 'llama'});
    expect(metadata.mai).toEqual({demo: true, tier: spec.tier, message: spec.message});
    expect(metadata.llama.context_length).toBe(spec.contextLength);
  });

  it('have the sizes and context lengths of their tiers', async () => {
    const sizes = await Promise.all(DEMO_MODELS.map(async (s) => (await stat(join(modelDir, demoModelFileName(s)))).size));
    const [small, medium, large] = sizes as [number, number, number];
    expect(small).toBeGreaterThan(4 * MB);
    expect(small).toBeLessThan(7 * MB);
    expect(medium).toBeGreaterThan(30 * MB);
    expect(medium).toBeLessThan(50 * MB);
    expect(large).toBeGreaterThan(120 * MB);
    expect(large).toBeLessThan(180 * MB);
    expect(DEMO_MODELS.map((s) => [s.name, s.tier, s.contextLength])).toEqual([
      ['mai-demo-small', 'small', 1024],
      ['mai-demo-medium', 'medium', 2048],
      ['mai-demo-large', 'large', 4096],
    ]);
  });

  it('each name their model and tier, in different words', () => {
    for (const spec of DEMO_MODELS) {
      expect(spec.message).toContain(spec.name);
      expect(spec.message).toContain(spec.tier);
      expect(spec.message).not.toMatch(/\n/);
    }
    expect(new Set(DEMO_MODELS.map((s) => s.message)).size).toBe(3);
  });

  describe.each(DEMO_MODELS.map((spec) => [spec.name, spec] as const))('%s', (_, spec) => {
    let model: LlamaModel;
    beforeAll(async () => {
      model = await llama.loadModel({modelPath: join(modelDir, demoModelFileName(spec))});
    });
    afterAll(async () => {
      await model?.dispose();
    });

    it('answers with its message and stops at eos', async () => {
      const answer = await ask(model, fresh(user('Hello, who are you?')));
      expect(answer).toEqual({text: spec.message, streamed: spec.message, stopReason: 'eogToken'});
    });

    it('gives the same answer at temperature 0.8 and to other prompts', async () => {
      for (const prompt of ['What is 2 + 2?', 'Écris-moi un poème 🌙', 'x']) {
        const answer = await ask(model, fresh(user(prompt)), {temperature: 0.8});
        expect(answer.text).toBe(spec.message);
        expect(answer.stopReason).toBe('eogToken');
      }
    });

    it('gives the same answer deep in a multi-turn chat', async () => {
      const history = fresh(
        {type: 'system', text: 'You are a helpful assistant.'},
        user('Hi'),
        reply(spec.message),
        user('Say something else, please.'),
        reply(spec.message),
        user('Really?\nTell me more.'),
      );
      const answer = await ask(model, history, {temperature: 0.8});
      expect(answer).toMatchObject({text: spec.message, stopReason: 'eogToken'});
    });

    it('answers the same with the chat wrapper resolved from its own template', async () => {
      const answer = await ask(model, fresh(user('Hello there')), {autoWrapper: true});
      expect(answer).toMatchObject({text: spec.message, stopReason: 'eogToken'});
    });
  });

  it('are forged quickly, and kept when already there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mai-forge-'));
    try {
      const started = performance.now();
      const paths = await forgeDemoModels(join(dir, 'models'));
      const forgeMs = performance.now() - started;
      expect(paths.map((p) => p.slice(dir.length))).toEqual([
        '/models/mai-demo-small.gguf',
        '/models/mai-demo-medium.gguf',
        '/models/mai-demo-large.gguf',
      ]);
      // ~0.5 s measured on 2 cores; the bound leaves room for a busy CI disk.
      expect(forgeMs).toBeLessThan(10_000);
      const mtimes = await Promise.all(paths.map(async (p) => (await stat(p)).mtimeMs));
      await forgeDemoModels(join(dir, 'models'));
      expect(await Promise.all(paths.map(async (p) => (await stat(p)).mtimeMs))).toEqual(mtimes);
    } finally {
      await rm(dir, {recursive: true, force: true});
    }
  });
});

describe('the test variants', () => {
  it.each(['tiny', 'slow', 'small-context'] as const)('%s speaks its message', async (key: TestModelKey) => {
    const {message} = TEST_MODELS[key];
    const model = await llama.loadModel({modelPath: testModelPath(modelDir, key)});
    try {
      const answer = await ask(model, fresh(user('Hi')), {temperature: 0.8});
      expect(answer).toMatchObject({text: message, stopReason: 'eogToken'});
    } finally {
      await model.dispose();
    }
  });

  it('are not marked as demo models', async () => {
    const info = await readGgufFileInfo(testModelPath(modelDir, 'tiny'));
    expect((info.metadata as unknown as Record<string, unknown>)['mai']).toBeUndefined();
  });

  it('small-context and tiny declare 512 tokens of context', async () => {
    for (const key of ['small-context', 'tiny'] as const) {
      const info = await readGgufFileInfo(testModelPath(modelDir, key));
      expect((info.metadata as unknown as {llama: {context_length: number}}).llama.context_length).toBe(512);
    }
  });

  it('looping repeats itself until maxTokens', async () => {
    const message = TEST_MODELS.looping.message ?? '';
    const model = await llama.loadModel({modelPath: testModelPath(modelDir, 'looping')});
    try {
      const answer = await ask(model, fresh(user('Hi')), {maxTokens: 100, temperature: 0.8});
      expect(answer.stopReason).toBe('maxTokens');
      expect(answer.text.startsWith(message + message)).toBe(true);
      expect(answer.text.split(message).length - 1).toBeGreaterThanOrEqual(3);
    } finally {
      await model.dispose();
    }
  });

  it('truncated: the header reads but loading fails with an error', async () => {
    const path = testModelPath(modelDir, 'truncated');
    await expect(readGgufFileInfo(path)).resolves.toBeDefined();
    await expect(llama.loadModel({modelPath: path})).rejects.toThrow(/failed to load/i);
  });

  it('garbage: reading and loading fail with errors', async () => {
    const path = testModelPath(modelDir, 'garbage');
    await expect(readGgufFileInfo(path)).rejects.toThrow();
    await expect(llama.loadModel({modelPath: path})).rejects.toThrow();
  });

  it('duplicate-token aborts the process that loads it (so it is loaded in a child)', async () => {
    // A script file, not `node -e`: getLlama forks a binding test that inherits execArgv, and with
    // `-e` the fork runs the eval'd script instead, so getLlama throws NoBinaryFoundError. The file
    // sits in the repo so that `node-llama-cpp` resolves from its node_modules.
    const scriptPath = join(REPO_ROOT, '.test-cache', `load-model-${process.pid}.mjs`);
    await writeFile(
      scriptPath,
      [
        "import {getLlama, LlamaLogLevel} from 'node-llama-cpp';",
        "const llama = await getLlama({gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error});",
        'await llama.loadModel({modelPath: process.env.MODEL_PATH});',
        "console.log('loaded');",
      ].join('\n'),
    );
    const child = spawn(process.execPath, [scriptPath], {
      cwd: REPO_ROOT,
      env: {...process.env, MODEL_PATH: testModelPath(modelDir, 'duplicate-token')},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('close', (c, s) => done([c, s])),
    ).finally(() => rm(scriptPath, {force: true}));
    // Killed by SIGABRT; a shell would report it as exit code 134.
    expect(signal === 'SIGABRT' || code === 134).toBe(true);
    expect(output).not.toContain('loaded');
    expect(output).toMatch(/GGML_ASSERT/);
  });
});

describe('the GGUF writer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mai-gguf-'));
  });
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true});
  });

  const file = (values: number): GgufFile => ({
    metadata: [
      ['general.architecture', {type: 'string', value: 'llama'}],
      ['test.u32', {type: 'uint32', value: 4_000_000_000}],
      ['test.i32', {type: 'int32', value: -7}],
      ['test.f32', {type: 'float32', value: 0.5}],
      ['test.bool', {type: 'bool', value: false}],
      ['test.strings', {type: 'string[]', value: ['a', '▁b', '']}],
      ['test.floats', {type: 'float32[]', value: [1.5, -2]}],
      ['test.ints', {type: 'int32[]', value: [3, -4]}],
    ],
    tensors: [
      {name: 'a', dims: [3], chunks: () => [new Float32Array([1, 2, 3])]},
      {name: 'b', dims: [4, 2], chunks: () => [new Float32Array(5), new Float32Array(values - 5)]},
    ],
  });

  it('writes values that node-llama-cpp reads back, with 32-byte aligned data', async () => {
    const path = join(dir, 'ok.gguf');
    await writeGguf(path, file(8));
    expect((await stat(path)).size).toBe(ggufFileSize(file(8)));
    const info = await readGgufFileInfo(path, {readTensorInfo: true});
    expect(info.version).toBe(3);
    expect(info.metadata.general.alignment).toBe(32);
    expect((info.metadata as unknown as {test: unknown}).test).toEqual({
      u32: 4_000_000_000,
      i32: -7,
      f32: 0.5,
      bool: false,
      strings: ['a', '▁b', ''],
      floats: [1.5, -2],
      ints: [3, -4],
    });
    const tensors = info.fullTensorInfo ?? [];
    expect(tensors.map((t) => [t.name, t.dimensions.map(Number), Number(t.offset)])).toEqual([
      ['a', [3], 0],
      ['b', [4, 2], 32],
    ]);
  });

  it('leaves nothing behind when a tensor comes out short', async () => {
    const path = join(dir, 'short.gguf');
    await expect(writeGguf(path, file(7))).rejects.toThrow(/produced 7 values, expected 8/);
    expect((await readdir(dir)).filter((f) => f.includes('short'))).toEqual([]);
  });
});

describe('the forge', () => {
  it('speaks a message full of repeated words exactly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mai-forge-'));
    const spec: ForgeSpec = {
      name: 'repeats',
      message: 'That that is, is. That that is not, is not. Is that it? It is! No no no no, the the the end.',
      embeddingLength: 128,
      layers: 1,
      feedForwardLength: 128,
      headCount: 2,
      headCountKv: 2,
      contextLength: 256,
    };
    await forgeModel(join(dir, 'repeats.gguf'), spec);
    const model = await llama.loadModel({modelPath: join(dir, 'repeats.gguf')});
    try {
      const answer = await ask(model, fresh(user('Hi')), {temperature: 0.8});
      expect(answer).toMatchObject({text: spec.message, stopReason: 'eogToken'});
    } finally {
      await model.dispose();
      await rm(dir, {recursive: true, force: true});
    }
  });

  it('refuses a message it cannot chain, before writing anything', async () => {
    const base = DEMO_MODELS[0] as ForgeSpec;
    const path = join(tmpdir(), `never-written-${process.pid}.gguf`);
    await expect(forgeModel(path, {...base, message: 'two\nlines'})).rejects.toThrow(/one non-empty line/);
    // Every token of the chain must differ: eight "ha" exhaust the pieces and bytes that spell it.
    await expect(forgeModel(path, {...base, message: 'ha ha ha ha ha ha ha ha'})).rejects.toThrow(/too many repeats/);
    await expect(stat(path)).rejects.toThrow();
  });
});
