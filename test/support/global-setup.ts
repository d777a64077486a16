// Forges the test models once into <repo>/.test-cache/models and hands the directory to the tests
// (`inject('modelDir')`). Forging takes about a second and writes ~400 MB, so the files are reused
// across runs while a fingerprint of the forge (its sources and the test specs) is unchanged.

import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFile, rename, stat, writeFile} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {TestProject} from 'vitest/node';
import {forgeTestModels, TEST_MODEL_KEYS, TEST_MODELS, testModelPath} from './models.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where global-setup forged the test models (see test/support/models.ts). */
    modelDir: string;
  }
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL_DIR = join(REPO_ROOT, '.test-cache', 'models');
const STAMP_FILE = join(MODEL_DIR, '.forge-fingerprint');
// The files whose content decides the forged bytes.
const FORGE_SOURCES = ['src/backends/embedded/gguf-writer.ts', 'src/backends/embedded/demo-models.ts', 'test/support/models.ts'];

async function forgeFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const source of FORGE_SOURCES) hash.update(await readFile(join(REPO_ROOT, source)));
  hash.update(JSON.stringify(TEST_MODELS));
  return hash.digest('hex');
}

async function allPresent(): Promise<boolean> {
  const present = await Promise.all(
    TEST_MODEL_KEYS.map((key) => stat(testModelPath(MODEL_DIR, key)).then((s) => s.isFile(), () => false)),
  );
  return present.every(Boolean);
}

/** The CLI tests run the built `mai`: build it when the sources are newer (a few ms otherwise). */
function buildIfStale(): void {
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'start.js'), '--build-only'], {stdio: 'inherit'});
  } catch {
    // tsc still wrote the output; its type errors are printed above and fail `npm test`'s build.
  }
}

export default async function setup(project: TestProject): Promise<void> {
  buildIfStale();
  const fingerprint = await forgeFingerprint();
  const stamp = await readFile(STAMP_FILE, 'utf8').catch(() => '');
  if (stamp !== fingerprint || !(await allPresent())) {
    await forgeTestModels(MODEL_DIR, {force: true});
    const tmp = `${STAMP_FILE}.${process.pid}.tmp`;
    await writeFile(tmp, fingerprint);
    await rename(tmp, STAMP_FILE);
  }
  project.provide('modelDir', MODEL_DIR);
}
