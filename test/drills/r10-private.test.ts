import {spawn} from 'node:child_process';
import {readdir, readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {listeningSocketsOf, processTree} from '../support/listening-sockets.js';
import {CLI} from '../support/run-cli.js';
import {createSandbox, keyOf, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// R10 (issue 13): mai's files are the user's alone (files 0600, dirs 0700), no secret it was given
// ends up in its logs or files, and it opens no listening socket unless asked — checked on a real
// `mai ask` while it replies (the engine host processes included), from the kernel's own tables.

const SECRET = 'R10-s3cret-do-not-log';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox(['looping']);
});

afterAll(async () => {
  await sandbox.cleanup();
});

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => []);
  const found = [dir];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

describe.skipIf(process.platform !== 'linux')('R10: private by default', () => {
  it('a reply in progress listens on no socket; its files are 0600, its dirs 0700, no secret in any of them', async () => {
    // A secret in the environment (a credential in LM Studio's URL, an API key): it must go nowhere.
    const lmstudio = new URL(sandbox.env.LMSTUDIO_URL as string);
    lmstudio.username = 'mai';
    lmstudio.password = SECRET;
    const env = {...sandbox.env, LMSTUDIO_URL: lmstudio.toString(), OPENAI_API_KEY: SECRET, MAI_LOG_LEVEL: 'debug'};
    const child = spawn(process.execPath, [CLI, 'ask', '--model', keyOf('looping'), 'talk for a while'], {env, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const pid = child.pid as number;

    // The reply streams: the engine host is up and answering.
    await waitFor(() => stdout.includes('I repeat myself'), {what: 'the reply streaming', timeoutMs: 60_000, detail: () => stderr});
    expect(processTree(pid).length, 'mai and its engine host').toBeGreaterThan(1);
    expect(listeningSocketsOf(pid)).toEqual([]);
    child.kill('SIGINT');
    expect(await closed).toBe(130);

    const mine = [path.join(sandbox.home, '.config', 'mai'), path.join(sandbox.home, '.local', 'share', 'mai'), path.join(sandbox.home, '.local', 'state', 'mai')];
    const paths = (await Promise.all(mine.map(walk))).flat();
    const files: string[] = [];
    const modes: string[] = [];
    for (const file of paths) {
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      if (info.isFile()) files.push(file);
      const wanted = info.isDirectory() ? 0o700 : 0o600;
      if ((info.mode & 0o777) !== wanted) modes.push(`${path.relative(sandbox.home, file)} ${(info.mode & 0o777).toString(8)}`);
    }
    expect(files.some((file) => file.endsWith('events.jsonl')), 'the event log was written').toBe(true);
    expect(modes, 'files not 0600 or dirs not 0700').toEqual([]);
    for (const file of files) expect(await readFile(file, 'utf8'), path.relative(sandbox.home, file)).not.toContain(SECRET);
    expect(stdout + stderr).not.toContain(SECRET);
  });
});
