import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

// The built `mai` run as a user runs it: a subprocess with its own environment, stdout and stderr
// collected whole (bytes kept as they came, for tests that look for control characters).

export const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));

export type CliRun = {readonly code: number | null; readonly stdout: string; readonly stderr: string};

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']});
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (data: Buffer) => stdout.push(data));
    child.stderr.on('data', (data: Buffer) => stderr.push(data));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8')}));
    child.stdin.end(input);
  });
}
