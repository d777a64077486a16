import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ConfigError, loadConfig} from '../../src/config.js';

// The config's `keys:` section: key names checked where they are written, bindings named in snake_case.

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mai-keys-config-'));
});
afterAll(async () => {
  await rm(root, {recursive: true, force: true});
});

async function load(text: string) {
  const file = path.join(root, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return {file, load: () => loadConfig({configPath: file, env: {HOME: root}})};
}

async function problemsOf(text: string): Promise<{file: string; message: string}> {
  const {file, load: run} = await load(text);
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return {file, message: error.message};
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('keys in the config', () => {
  it('are none by default: every binding keeps its keys', async () => {
    const {load: run} = await load('engine:\n  threads: 2\n');
    expect((await run()).config.keys).toEqual({});
  });

  it('map a binding (snake_case) to one key name or a list of them', async () => {
    const {load: run} = await load('keys:\n  model_picker: f2\n  next_model: [ctrl+n, alt+n]\n');
    expect((await run()).config.keys).toEqual({modelPicker: ['f2'], nextModel: ['ctrl+n', 'alt+n']});
  });

  it('report a key name that names no key at FILE:LINE:COL', async () => {
    const {file, message} = await problemsOf('# my keys\nkeys:\n  model_picker: ctrl+oo\n  next_model: [f2, hyper+n]\n');
    expect(message).toBe(
      [
        `${file}:3:17: keys.model_picker: expected a key name such as "ctrl+o", "f2", "alt+enter" or "?", or a list of them, got "ctrl+oo"`,
        `${file}:4:20: keys.next_model[1]: expected a key name such as "ctrl+o", "f2", "alt+enter" or "?", got "hyper+n"`,
      ].join('\n'),
    );
  });

  it('report a binding name that cannot be one, and a value that is not a key name', async () => {
    const {file, message} = await problemsOf('keys:\n  Model-Picker: f2\n  redraw: 12\n');
    expect(message.split('\n')).toEqual([
      `${file}:2:17: keys.Model-Picker: not a key binding name (lower case words joined by _, such as model_picker)`,
      `${file}:3:11: keys.redraw: expected a key name such as "ctrl+o", "f2", "alt+enter" or "?", or a list of them, got 12`,
    ]);
  });
});
