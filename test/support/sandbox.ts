import {mkdir, mkdtemp, rm, symlink} from 'node:fs/promises';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {inject} from 'vitest';
import {TEST_MODELS, testModelPath, type TestModelKey} from './models.js';

// A throw-away HOME with its own XDG dirs and a model folder holding only the chosen test models
// (symlinks to the forged files), so every test sees exactly the catalogue it asked for.

export type Sandbox = {
  readonly home: string;
  readonly modelDir: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
};

/**
 * A URL where nothing listens (a port the OS just handed out, then closed): LM Studio "not running",
 * so that no test ever talks to a real LM Studio on the machine.
 */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}`;
}

export type SandboxOptions = {
  /** Where LM Studio is (an emulator); by default a port where nothing listens. */
  readonly lmstudioUrl?: string;
};

export async function createSandbox(models: readonly TestModelKey[], options: SandboxOptions = {}): Promise<Sandbox> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mai-test-'));
  const modelDir = path.join(home, 'models');
  await mkdir(modelDir);
  for (const key of models) await symlink(testModelPath(inject('modelDir'), key), path.join(modelDir, TEST_MODELS[key].fileName));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    MAI_MODELS_DIR: modelDir,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    LMSTUDIO_URL: options.lmstudioUrl ?? (await closedPortUrl()),
  };
  return {home, modelDir, env, cleanup: () => rm(home, {recursive: true, force: true})};
}

/** The model key mai gives a test model (its file name without .gguf). */
export function keyOf(model: TestModelKey): string {
  return TEST_MODELS[model].fileName.replace(/\.gguf$/, '');
}
