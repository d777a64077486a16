import {mkdir, mkdtemp, rm, symlink} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {expect, inject} from 'vitest';
import {LMStudioEmulator, type EmulatorOptions} from './lmstudio-emulator.js';
import {TEST_MODELS, testModelPath, type TestModelKey} from './models.js';

// An LM Studio emulator serving chosen test models, laid out as LM Studio keeps its downloads
// (`<models>/<publisher>/<repo>/<file>.gguf`).

export type EmulatedLMStudio = {
  readonly emulator: LMStudioEmulator;
  /** LM Studio's models folder. */
  readonly modelsDir: string;
  close(): Promise<void>;
};

export const PUBLISHER = 'mai-test';

/** LM Studio's relative path of a test model: `mai-test/<name>-GGUF/<file>`. */
export function lmStudioPath(model: TestModelKey): string {
  const file = TEST_MODELS[model].fileName;
  return `${PUBLISHER}/${file.replace(/\.gguf$/, '')}-GGUF/${file}`;
}

/**
 * Starts an emulator whose downloads are `models`. With `home`, they go where LM Studio keeps them
 * under that home (`~/.lmstudio/models`, a folder mai also scans); else into a folder of their own.
 */
export async function startLMStudio(
  models: readonly TestModelKey[],
  options: {readonly home?: string} & Partial<Omit<EmulatorOptions, 'modelsDir'>> = {},
): Promise<EmulatedLMStudio> {
  const {home, ...rest} = options;
  const own = home ? null : await mkdtemp(path.join(os.tmpdir(), 'mai-lmstudio-'));
  const modelsDir = home ? path.join(home, '.lmstudio', 'models') : path.join(own as string, 'models');
  for (const model of models) {
    const target = path.join(modelsDir, lmStudioPath(model));
    await mkdir(path.dirname(target), {recursive: true});
    await symlink(testModelPath(inject('modelDir'), model), target);
  }
  const emulator = await LMStudioEmulator.start({modelsDir, ...rest});
  return {
    emulator,
    modelsDir,
    close: async () => {
      await emulator.close();
      if (own) await rm(own, {recursive: true, force: true});
    },
  };
}

/**
 * The SDK client sends a communicationWarning when it cannot parse what it received; it then
 * leaves the call hanging. A test that caused one fails, unless it expected exactly those.
 */
export function expectNoCommunicationWarnings(emulator: LMStudioEmulator, expected = 0): void {
  const warnings = emulator.warnings.splice(0);
  expect(warnings, `communicationWarning from the SDK client: ${warnings.join(' | ')}`).toHaveLength(expected);
}
