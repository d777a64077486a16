import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Mai} from '../../src/mai.js';
import type {TestModelKey} from './models.js';
import {createSandbox, type Sandbox} from './sandbox.js';

// A Mai on chosen test models with policy lines in its config file, in a sandbox of its own: what
// the end-to-end switching tests and drills start from. `close()` shuts it down and removes it.

export type PolicyMai = {readonly mai: Mai; readonly sandbox: Sandbox; close(): Promise<void>};

export async function startPolicyMai(models: readonly TestModelKey[], policy: readonly string[], options: {keepSpareEngine?: boolean} = {}): Promise<PolicyMai> {
  const sandbox = await createSandbox(models);
  const configPath = path.join(sandbox.home, 'mai.yaml');
  await writeFile(configPath, `policy:\n${policy.map((line) => `  ${line}`).join('\n')}\n`);
  const mai = await Mai.create({env: sandbox.env, configPath, forgeDemoModels: false, ...options});
  return {
    mai,
    sandbox,
    close: async () => {
      await mai.shutdown();
      await sandbox.cleanup();
    },
  };
}

/** Events of one kind in mai's event log. */
export async function loggedEvents(mai: Mai, event: string): Promise<Record<string, unknown>[]> {
  const lines = (await readFile(mai.paths.logFile, 'utf8')).trim().split('\n');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === event);
}
