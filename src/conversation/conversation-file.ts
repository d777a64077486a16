import {randomBytes} from 'node:crypto';
import {closeSync, fdatasync, fsyncSync, ftruncateSync, openSync, writeSync} from 'node:fs';
import {chmod, mkdir, readdir, readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {ConversationNotFoundError} from './conversation-not-found.js';
import {CONVERSATION_FORMAT, encodeEvent, replayConversation, type ConversationEvent, type ReplayedConversation} from './conversation-events.js';
import {compareText} from '../util/locale-free.js';

// Conversation files: `$XDG_STATE_HOME/mai/conversations/<id>.jsonl`, mode 0600 in a 0700 folder.
// Lines are written synchronously (a small write into the page cache takes microseconds, and it
// keeps the events in order and on disk even when the process is killed a moment later); the
// fsync that makes them survive a power cut runs on libuv's thread pool, and the caller awaits it
// where it matters: before the next request to a model starts.

const EXTENSION = '.jsonl';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export {ConversationNotFoundError};

/** "20261124-103105-a1b2": sortable, readable, unique enough, safe as a file name. */
export function newConversationId(now: number): string {
  const iso = new Date(now).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${randomBytes(2).toString('hex')}`;
}

async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700});
  // A folder made earlier by something else keeps its mode on mkdir: make it private anyway.
  await chmod(dir, 0o700);
}

function syncDir(dir: string): void {
  // The new file's name must reach the disk too, or a power cut can lose the whole file. Not
  // possible on every platform (Windows cannot open a folder); the file's own fsyncs still hold.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

export class ConversationFile {
  private syncing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  private constructor(
    readonly id: string,
    readonly path: string,
    private readonly fd: number,
  ) {}

  static pathFor(dir: string, id: string): string {
    return path.join(dir, `${id}${EXTENSION}`);
  }

  /** A new conversation file with its first line on disk. */
  static async create(dir: string, now = Date.now()): Promise<ConversationFile> {
    await privateDir(dir);
    const id = newConversationId(now);
    const file = ConversationFile.pathFor(dir, id);
    const fd = openSync(file, 'wx', 0o600);
    const conversation = new ConversationFile(id, file, fd);
    conversation.append({type: 'conversation', v: CONVERSATION_FORMAT, id, at: now});
    syncDir(dir);
    return conversation;
  }

  /**
   * A saved conversation, replayed, and opened to append to. A last line cut off by a crash is
   * removed first (it is reported in the warnings): new lines must not be glued onto it.
   */
  static async open(dir: string, id: string): Promise<{file: ConversationFile; conversation: ReplayedConversation}> {
    const file = ConversationFile.pathFor(dir, id);
    const bytes = await readFile(file);
    const conversation = replayConversation(bytes.toString('utf8'));
    await chmod(file, 0o600);
    if (conversation.lastLine === 'cut') {
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, bytes.lastIndexOf(0x0a) + 1);
      } finally {
        closeSync(fd);
      }
    }
    const opened = new ConversationFile(id, file, openSync(file, 'a'));
    // A whole last event without its newline: end its line before the next one.
    if (conversation.lastLine === 'complete') opened.appendRaw('\n');
    return {file: opened, conversation};
  }

  /** Writes one event line now (no fsync: see flush). Throws when the disk refuses it. */
  append(event: ConversationEvent): void {
    this.appendRaw(encodeEvent(event));
  }

  private appendRaw(text: string): void {
    if (this.closed) return;
    const line = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < line.length) written += writeSync(this.fd, line, written, line.length - written);
    this.dirty = true;
  }

  /**
   * Resolves once every line written so far is on disk. Calls made while an fsync runs share the
   * next one, so a burst of lines costs at most two.
   */
  flush(): Promise<void> {
    if (this.closed || (!this.dirty && !this.syncing)) return Promise.resolve();
    const after = this.syncing ?? Promise.resolve();
    const next = after.then(() => {
      if (!this.dirty || this.closed) return;
      this.dirty = false;
      return new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
    });
    const settled = next.finally(() => {
      if (this.syncing === settled) this.syncing = null;
    });
    this.syncing = settled;
    return settled;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    closeSync(this.fd);
  }
}

export type ConversationInfo = {
  readonly id: string;
  readonly path: string;
  readonly startedAt: number;
  /** When it was last written to. */
  readonly updatedAt: number;
  readonly messages: number;
  /** The first line of the first user message. */
  readonly firstLine: string;
  readonly lastModel: string | null;
  readonly warnings: readonly string[];
};

type SavedFile = {readonly id: string; readonly path: string; readonly updatedAt: number};

/** The conversation files, the most recently written first (names and times only: nothing is parsed). */
async function savedFiles(dir: string): Promise<SavedFile[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const files = await Promise.all(
    names
      .filter((name) => name.endsWith(EXTENSION) && ID_PATTERN.test(name.slice(0, -EXTENSION.length)))
      .map(async (name): Promise<SavedFile | null> => {
        const file = path.join(dir, name);
        const info = await stat(file).catch(() => null);
        return info?.isFile() ? {id: name.slice(0, -EXTENSION.length), path: file, updatedAt: info.mtimeMs} : null;
      }),
  );
  return files.filter((file): file is SavedFile => file !== null).sort((a, b) => b.updatedAt - a.updatedAt || compareText(b.id, a.id));
}

async function readInfo(file: SavedFile): Promise<ConversationInfo | null> {
  try {
    const conversation = replayConversation(await readFile(file.path, 'utf8'));
    const first = conversation.messages.find((message) => message.role === 'user')?.text ?? '';
    return {
      id: file.id,
      path: file.path,
      startedAt: conversation.startedAt ?? file.updatedAt,
      updatedAt: file.updatedAt,
      messages: conversation.messages.length,
      firstLine: first.trim().split('\n')[0] ?? '',
      lastModel: conversation.lastModel,
      warnings: conversation.warnings,
    };
  } catch {
    return null;
  }
}

/** Saved conversations, the most recently written first, each read for its summary line. */
export async function listConversations(dir: string): Promise<ConversationInfo[]> {
  const infos = await Promise.all((await savedFiles(dir)).map(readInfo));
  return infos.filter((info): info is ConversationInfo => info !== null);
}

/**
 * The ID of the conversation `wanted` names: "latest" (or nothing) for the most recent one, an
 * exact ID, or the start of exactly one ID. Only names and times are looked at.
 */
export async function findConversation(dir: string, wanted?: string): Promise<string> {
  const all = await savedFiles(dir);
  if (all.length === 0) throw new ConversationNotFoundError('there are no saved conversations yet');
  if (wanted === undefined || wanted === 'latest') return (all[0] as SavedFile).id;
  const exact = all.find((file) => file.id === wanted);
  if (exact) return exact.id;
  const matches = ID_PATTERN.test(wanted) ? all.filter((file) => file.id.startsWith(wanted)) : [];
  if (matches.length === 1) return (matches[0] as SavedFile).id;
  const hint = 'run `mai chat --list` to see them';
  if (matches.length > 1) throw new ConversationNotFoundError(`"${wanted}" matches ${matches.length} conversations; give more of the ID (${hint})`);
  throw new ConversationNotFoundError(`no conversation "${wanted}" (${hint})`);
}
