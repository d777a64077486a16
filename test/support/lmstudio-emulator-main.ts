import {mkdir, rm, symlink} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {LMStudioEmulator} from './lmstudio-emulator.js';
import {forgeTestModels, TEST_MODELS, type TestModelKey} from './models.js';

// `npm run lmstudio-emulator`: the test emulator of LM Studio, started by hand, for trying mai
// against "LM Studio" on a machine without it. It serves forged test models (each answers with a
// sentence that names it) from a folder laid out like LM Studio's, and runs them in mai's engine.

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FORGED = path.join(REPO_ROOT, '.test-cache', 'models');
const SERVED_DIR = path.join(REPO_ROOT, '.test-cache', 'lmstudio-emulator', 'models');
const DEFAULT_MODELS: readonly TestModelKey[] = ['tiny', 'slow', 'small-context', 'looping'];

const {values} = parseArgs({
  options: {
    port: {type: 'string', default: '1234'},
    models: {type: 'string', default: DEFAULT_MODELS.join(',')},
    /** Serve this folder of GGUF files as it is, instead of forged test models. */
    'models-dir': {type: 'string'},
    'load-delay-ms': {type: 'string', default: '0'},
    'fragment-delay-ms': {type: 'string', default: '0'},
    help: {type: 'boolean', default: false},
  },
});

if (values.help) {
  process.stdout.write(
    [
      'npm run lmstudio-emulator -- [--port 1234] [--models tiny,slow | --models-dir DIR] [--load-delay-ms N] [--fragment-delay-ms N]',
      `models: ${Object.keys(TEST_MODELS).join(', ')}`,
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const models = (values.models ?? '').split(',').map((name) => name.trim()) as TestModelKey[];
const unknown = models.filter((name) => !(name in TEST_MODELS));
if (unknown.length > 0) {
  process.stderr.write(`unknown model(s): ${unknown.join(', ')}; known: ${Object.keys(TEST_MODELS).join(', ')}\n`);
  process.exit(2);
}

async function layOutTestModels(): Promise<string> {
  process.stderr.write('forging the test models (once)…\n');
  await forgeTestModels(FORGED);
  await rm(SERVED_DIR, {recursive: true, force: true});
  for (const model of models) {
    const file = TEST_MODELS[model].fileName;
    const target = path.join(SERVED_DIR, 'mai-test', `${file.replace(/\.gguf$/, '')}-GGUF`, file);
    await mkdir(path.dirname(target), {recursive: true});
    await symlink(path.join(FORGED, file), target);
  }
  return SERVED_DIR;
}

const emulator = await LMStudioEmulator.start({
  modelsDir: values['models-dir'] ? path.resolve(values['models-dir']) : await layOutTestModels(),
  port: Number(values.port),
  log: (line) => process.stderr.write(`${line}\n`),
});
emulator.faults = {loadDelayMs: Number(values['load-delay-ms']), fragmentDelayMs: Number(values['fragment-delay-ms'])};
process.stderr.write(`serving ${values['models-dir'] ?? models.join(', ')}. Point mai at it:\n  LMSTUDIO_URL=${emulator.url} npm start\n(Ctrl+C stops it)\n`);

const stop = () => {
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
