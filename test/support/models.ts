// The models the tests run on, all forged (no downloads): the three demo models plus variants for
// the cases a real model file can present (loops forever, slow, small context, aborts the engine,
// truncated, not a GGUF at all). global-setup.ts forges them once per change of the forge.

import {mkdir, rename, rm, truncate, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {
  DEMO_MODELS,
  demoModelFileName,
  ensureForgedModel,
  forgeModel,
  forgedFileSize,
  type ForgeSpec,
} from '../../src/backends/embedded/demo-models.js';

export type TestModelKey =
  | 'demo-small'
  | 'demo-medium'
  | 'demo-large'
  | 'tiny'
  | 'looping'
  | 'slow'
  | 'slow-looping'
  | 'small-context'
  | 'duplicate-token'
  | 'truncated'
  | 'garbage';

export type TestModel = {
  readonly fileName: string;
  /**
   * speaks: answers `message` and stops at eos. loops: repeats `message` until maxTokens.
   * aborts-on-load: llama.cpp aborts the whole process (SIGABRT, exit 134): load it only in a child.
   * corrupt: loading fails with an error.
   */
  readonly behavior: 'speaks' | 'loops' | 'aborts-on-load' | 'corrupt';
  /** The answer, word for word (speaks), or the text repeated (loops). */
  readonly message?: string;
  /** How it was forged; absent for the garbage file. */
  readonly spec?: ForgeSpec;
};

const [demoSmall, demoMedium, demoLarge] = DEMO_MODELS as readonly [ForgeSpec, ForgeSpec, ForgeSpec];

// Tiny shape: dim 128 keeps the random embeddings orthogonal enough for a clear winner (the
// successor's logit ≈ 34 against noise of σ ≈ 3), one layer makes it load and answer in ms.
const TINY_SHAPE = {
  embeddingLength: 128,
  layers: 1,
  feedForwardLength: 256,
  headCount: 4,
  headCountKv: 4,
  contextLength: 512,
} as const;

// Test variants are not marked as demo models (no mai.* keys): to the app they look like a
// user's own GGUF files.
const tiny: ForgeSpec = {...TINY_SHAPE, name: 'test-tiny', demo: false, message: 'Tiny test model here, answering fast.'};
const looping: ForgeSpec = {
  ...TINY_SHAPE,
  name: 'test-looping',
  demo: false,
  loop: true,
  message: 'I repeat myself forever and never stop.',
};
// Slow by depth: 300 thin layers cost ~50 ms a token with 1 thread (measured 19 tok/s against 225
// for the large demo model) in 178 MB. Per-layer overhead, not bytes, dominates at this shape.
const slow: ForgeSpec = {
  name: 'test-slow',
  demo: false,
  message: 'This is the slow test model, taking its time over every single word of this answer.',
  embeddingLength: 128,
  layers: 300,
  feedForwardLength: 256,
  headCount: 4,
  headCountKv: 2,
  contextLength: 2048,
};
// Slow and never done: a reply that runs long enough for its speed to be judged (struggle tests),
// at half the slow model's depth (~90 MB, about twice its speed).
const slowLooping: ForgeSpec = {...slow, name: 'test-slow-looping', layers: 150, loop: true, message: 'I go on slowly, and on, and on.'};
const smallContext: ForgeSpec = {
  ...demoSmall,
  name: 'test-small-context',
  tier: undefined,
  demo: false,
  message: 'My context window holds only five hundred and twelve tokens.',
  contextLength: 512,
};
const duplicateToken: ForgeSpec = {...tiny, name: 'test-duplicate-token', duplicateTokenText: true};
const truncated: ForgeSpec = {...tiny, name: 'test-truncated', message: 'Half of me is missing.'};

function speaking(spec: ForgeSpec): TestModel {
  return {fileName: demoModelFileName(spec), behavior: 'speaks', message: spec.message, spec};
}

export const TEST_MODELS: Readonly<Record<TestModelKey, TestModel>> = {
  'demo-small': speaking(demoSmall),
  'demo-medium': speaking(demoMedium),
  'demo-large': speaking(demoLarge),
  tiny: speaking(tiny),
  looping: {fileName: demoModelFileName(looping), behavior: 'loops', message: looping.message, spec: looping},
  slow: speaking(slow),
  'slow-looping': {fileName: demoModelFileName(slowLooping), behavior: 'loops', message: slowLooping.message, spec: slowLooping},
  'small-context': speaking(smallContext),
  'duplicate-token': {fileName: demoModelFileName(duplicateToken), behavior: 'aborts-on-load', spec: duplicateToken},
  truncated: {fileName: demoModelFileName(truncated), behavior: 'corrupt', spec: truncated},
  garbage: {fileName: 'test-garbage.gguf', behavior: 'corrupt'},
};

export const TEST_MODEL_KEYS = Object.keys(TEST_MODELS) as TestModelKey[];

export function testModelPath(dir: string, key: TestModelKey): string {
  return join(dir, TEST_MODELS[key].fileName);
}

const GARBAGE_BYTES = 64 * 1024;

/**
 * Writes every test model into `dir`. Without `force`, a model file of the right size is kept
 * (global-setup forces a rewrite when the forge itself changed).
 */
export async function forgeTestModels(
  dir: string,
  options: {readonly force?: boolean} = {},
): Promise<Record<TestModelKey, string>> {
  await mkdir(dir, {recursive: true});
  const paths = {} as Record<TestModelKey, string>;
  for (const key of TEST_MODEL_KEYS) {
    const path = testModelPath(dir, key);
    paths[key] = path;
    const {spec} = TEST_MODELS[key];
    if (key === 'garbage') await writeGarbage(path);
    else if (key === 'truncated' && spec) await writeTruncated(path, spec);
    else if (spec && options.force) await forgeModel(path, spec);
    else if (spec) await ensureForgedModel(path, spec);
  }
  return paths;
}

/** A valid model cut in half: the header parses, the tensor data is out of the file's bounds. */
async function writeTruncated(path: string, spec: ForgeSpec): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await forgeModel(tmp, spec);
  await truncate(tmp, Math.floor(forgedFileSize(spec) / 2));
  await rename(tmp, path).catch(async (error: unknown) => {
    await rm(tmp, {force: true});
    throw error;
  });
}

/** Deterministic bytes that are not a GGUF (the magic is wrong). */
async function writeGarbage(path: string): Promise<void> {
  const bytes = Buffer.alloc(GARBAGE_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  bytes.write('JUNK', 0, 'latin1');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}
