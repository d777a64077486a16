import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {forgeDemoModels} from '../src/backends/embedded/demo-models.js';
import {closedPortUrl, isolatedEnv} from '../test/support/isolated-home.js';

// A throw-away HOME for a Mai in a benchmark, as test/support/sandbox.ts makes one for a test (that
// file needs vitest; both build it with test/support/isolated-home.ts): its own XDG dirs, the forged demo models as the only models, LM Studio at a
// port where nothing listens, and `policy` (YAML lines under `policy:`) in its config file.

export type BenchHome = {
  readonly env: NodeJS.ProcessEnv;
  readonly configPath: string;
  readonly modelDir: string;
  cleanup(): Promise<void>;
};

/** The forged demo models, shared by every benchmark run (forged once). */
export async function benchModelDir(): Promise<string> {
  const dir = path.join(os.tmpdir(), 'mai-bench-models');
  await forgeDemoModels(dir);
  return dir;
}

export async function createBenchHome(policy: readonly string[]): Promise<BenchHome> {
  const modelDir = await benchModelDir();
  const home = await mkdtemp(path.join(os.tmpdir(), 'mai-bench-home-'));
  await mkdir(path.join(home, '.config'), {recursive: true});
  const configPath = path.join(home, 'mai.yaml');
  await writeFile(configPath, `policy:\n${policy.map((line) => `  ${line}`).join('\n')}\n`);
  const env = isolatedEnv(home, modelDir, await closedPortUrl());
  return {env, configPath, modelDir, cleanup: () => rm(home, {recursive: true, force: true})};
}
