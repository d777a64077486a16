import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

// Composing in the user's editor (Ctrl+X Ctrl+E, as in bash and zsh): the message goes to a
// private temporary file, the editor runs on the terminal (the TUI is suspended around this), and
// the file's text comes back. Synchronous on purpose: while the editor has the terminal, nothing
// in mai may read stdin or draw.

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type EditorResult = {readonly text: string} | {readonly error: string};

/** $VISUAL, then $EDITOR, then vi: what bash's edit-and-execute-command uses. */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

/**
 * Runs the editor on `text` and returns what the file holds afterwards (less the one newline most
 * editors add at the end). The command goes through sh, so "code --wait" works; the file is the
 * last argument. The folder is 0700 and the file 0600; both are removed afterwards.
 */
export function editInEditor(text: string, env: NodeJS.ProcessEnv = process.env): EditorResult {
  const dir = mkdtempSync(join(tmpdir(), 'mai-message-'));
  const file = join(dir, 'message.md');
  try {
    writeFileSync(file, text, {mode: 0o600});
    const editor = editorCommand(env);
    const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'mai-editor', file], {stdio: 'inherit', env});
    if (result.error) return {error: `${editor} could not run: ${errorMessage(result.error)}`};
    if (result.status !== 0) return {error: `${editor} exited with ${result.status ?? result.signal}; the message is unchanged`};
    return {text: readFileSync(file, 'utf8').replace(/\r?\n$/, '')};
  } catch (error) {
    return {error: `the editor failed: ${errorMessage(error)}`};
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
