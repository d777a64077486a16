import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {forgeModel, type ForgeSpec} from '../../src/backends/embedded/demo-models.js';
import {Mai} from '../../src/mai.js';
import {renderChat} from '../support/chat-screen.js';
import {isolatedEnv} from '../support/isolated-home.js';
import {LMStudioEmulator} from '../support/lmstudio-emulator.js';
import {runCli} from '../support/run-cli.js';
import {waitFor} from '../support/wait-for.js';

// R6 (issue 13): escape sequences in model output, in a GGUF's general.name, in conversation files
// and in LM Studio's model names: no control byte mai did not write reaches the terminal, on every
// output path — the TUI, the human CLI output and --json — and --json and `mai config` keep the
// value (escaped as \uXXXX, so nothing is lost).

const ESC = '\u001b';
// 7-bit and 8-bit CSI, OSC (title, clipboard), a C1 control, bidi override and isolate.
const HOSTILE = `${ESC}[2J\u009b31m${ESC}]0;pwned\u0007\u0085\u202egnp.exe\u2066x\u2069${ESC}]52;c;AAAA\u0007`;
const NAME = `evil${HOSTILE}name`;
const MESSAGE = `Hello${HOSTILE} there, all done.`;
const QUESTION = `question${HOSTILE} end`;
const SYSTEM_PROMPT = `be kind\u009b2J\u202e\u2067`;
const LM_KEY = 'lm\u009b\u202eevil';

/** What a terminal would act on, that mai did not write: C0 but \n (ESC included), DEL, C1, bidi controls. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const SGR = /\u001b\[[0-9;]*m/g;

// A tiny one-layer model that answers MESSAGE, its general.name NAME (see test/support/models.ts).
const hostile: ForgeSpec = {name: NAME, demo: false, message: MESSAGE, embeddingLength: 128, layers: 1, feedForwardLength: 256, headCount: 4, headCountKv: 4, contextLength: 512};

let home: string;
let env: NodeJS.ProcessEnv;
let lmstudio: LMStudioEmulator;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'mai-r6-'));
  const modelDir = path.join(home, 'models');
  const lmDir = path.join(home, 'lmstudio-models', 'evil', 'evil-GGUF');
  await mkdir(modelDir, {recursive: true});
  await mkdir(lmDir, {recursive: true});
  await forgeModel(path.join(modelDir, 'hostile.gguf'), hostile);
  await forgeModel(path.join(lmDir, 'lmhostile.gguf'), hostile);
  lmstudio = await LMStudioEmulator.start({modelsDir: path.join(home, 'lmstudio-models'), modelKeys: {lmhostile: LM_KEY}});
  env = isolatedEnv(home, modelDir, lmstudio.url);
  await mkdir(path.join(home, '.config', 'mai'), {recursive: true});
});

afterAll(async () => {
  await lmstudio?.close();
  await rm(home, {recursive: true, force: true});
});

function expectClean(output: string, where: string): void {
  const found = UNSAFE.exec(output);
  expect(found, `${where}: U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')} reached the terminal`).toBeNull();
}

describe('R6: hostile text never reaches the terminal, and --json keeps it', () => {
  it('mai models: general.name and the LM Studio key, human and --json', async () => {
    const human = await runCli(['models'], env);
    expect(human.code).toBe(0);
    expectClean(human.stdout + human.stderr, 'mai models');
    expect(human.stdout).toContain('hostile');
    expect(human.stdout).toContain('lmevil');

    const json = await runCli(['models', '--json'], env);
    expect(json.code).toBe(0);
    expectClean(json.stdout + json.stderr, 'mai models --json');
    const listed = (JSON.parse(json.stdout) as {models: {key: string; displayName: string; sources: {backend: string}[]}[]}).models;
    expect(listed.find((model) => model.key === 'hostile')?.displayName).toBe(NAME);
    // mai's name for LM Studio's key is made of its printable characters, found in LM Studio.
    expect(listed.find((model) => model.key === 'lmevil')?.sources.map((source) => source.backend)).toContain('lmstudio');
  });

  it('mai ask: the model output, human and --json; the conversation file it leaves, listed both ways', async () => {
    const human = await runCli(['ask', '-m', 'hostile', '--strict', QUESTION], env);
    expect(human.code, human.stderr).toBe(0);
    expectClean(human.stdout + human.stderr, 'mai ask');
    expect(human.stdout).toContain('there, all done.');

    const json = await runCli(['ask', '-m', 'hostile', '--strict', '--json', QUESTION], env);
    expect(json.code, json.stderr).toBe(0);
    expectClean(json.stdout + json.stderr, 'mai ask --json');
    expect((JSON.parse(json.stdout) as {text: string}).text).toBe(MESSAGE);

    const list = await runCli(['chat', '--list'], env);
    expectClean(list.stdout + list.stderr, 'mai chat --list');
    expect(list.stdout).toContain('question');
    const listJson = await runCli(['chat', '--list', '--json'], env);
    expectClean(listJson.stdout + listJson.stderr, 'mai chat --list --json');
    const conversations = (JSON.parse(listJson.stdout) as {conversations: {firstLine: string}[]}).conversations;
    expect(conversations.map((conversation) => conversation.firstLine)).toContain(QUESTION);
  });

  it('mai config: a hostile string in the config file, as YAML that reads back the same', async () => {
    const file = path.join(home, 'hostile.yaml');
    // Escaped in the file (YAML double quotes): the characters themselves are what mai reads.
    await writeFile(file, `context:\n  system_prompt: "be kind\\u009b2J\\u202e\\u2067"\n`);
    const shown = await runCli(['config', '-c', file], env);
    expect(shown.code, shown.stderr).toBe(0);
    expectClean(shown.stdout + shown.stderr, 'mai config');
    expect((parse(shown.stdout) as {context: {systemPrompt: string}}).context.systemPrompt).toBe(SYSTEM_PROMPT);
  });

  it('the TUI: the model name, the reply and the question on screen', async () => {
    const mai = await Mai.create({env, forgeDemoModels: false, saveConversation: false});
    const screen = renderChat(mai);
    try {
      await mai.switchTo('hostile', 'the drill');
      screen.stdin.write(QUESTION);
      screen.stdin.write('\r');
      await waitFor(() => screen.frame().includes('there, all done.'), {timeoutMs: 30_000});
      for (const frame of screen.frames) expectClean(frame.replace(SGR, ''), 'a TUI frame');
      expect(screen.frame()).toContain('question');
    } finally {
      screen.unmount();
      await mai.shutdown();
    }
  });
});
