import {mkdir, mkdtemp, rm, symlink} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {inject} from 'vitest';
import {closedPortUrl, isolatedEnv} from './isolated-home.js';
import {TEST_MODELS, testModelPath, type TestModelKey} from './models.js';

export {closedPortUrl};

// A throw-away HOME with its own XDG dirs and a model folder holding only the chosen test models
// (symlinks to the forged files), so every test sees exactly the catalogue it asked for.

export type Sandbox = {
  readonly home: string;
  readonly modelDir: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
};

export type SandboxOptions = {
  /** Where LM Studio is (an emulator); by default a port where nothing listens. */
  readonly lmstudioUrl?: string;
};

export async function createSandbox(models: readonly TestModelKey[], options: SandboxOptions = {}): Promise<Sandbox> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mai-test-'));
  const modelDir = path.join(home, 'models');
  await mkdir(modelDir);
  for (const key of models) await symlink(testModelPath(inject('modelDir'), key), path.join(modelDir, TEST_MODELS[key].fileName));
  const env = isolatedEnv(home, modelDir, options.lmstudioUrl ?? (await closedPortUrl()));
  return {home, modelDir, env, cleanup: () => rm(home, {recursive: true, force: true})};
}

/** The model key mai gives a test model (its file name without .gguf). */
export function keyOf(model: TestModelKey): string {
  return TEST_MODELS[model].fileName.replace(/\.gguf$/, '');
}
