import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {resolvePaths} from '../../src/config/paths.js';
import {encodeEvent, type ConversationEvent} from '../../src/conversation/conversation-events.js';

// A saved conversation of any length, written straight into a HOME's conversation folder as mai
// would have left it, for the tests and benchmarks that resume a long chat (no vitest here: bench/
// uses it too).

export const SEEDED_USER_TEXT = 'How would I make the streaming of a reply cheaper in a terminal UI written with React?';
export const SEEDED_REPLY_TEXT = [
  'Render only what changed. A terminal has no retained scene: each frame is text, so the cost is',
  'what you compute per frame and what you write. Keep the finished messages out of the per-token',
  'path, wrap each one once, and draw the streaming tail alone.',
  '',
  '- memoize the lines of each message',
  '- window the list to the rows on screen',
].join('\n');

/** Message `index`'s text: user messages and replies alternate, each ending with "(index)". */
export function seededText(index: number): string {
  return `${index % 2 === 0 ? SEEDED_USER_TEXT : SEEDED_REPLY_TEXT} (${index})`;
}

/**
 * Writes a conversation of `count` messages (a user's first, replies by `model` completed) into
 * the conversation folder of the mai that runs with `env`; returns its id, for `--resume`.
 */
export async function seedConversation(env: NodeJS.ProcessEnv, count: number, model: string): Promise<string> {
  const dir = resolvePaths(env).conversationsDir;
  await mkdir(dir, {recursive: true, mode: 0o700});
  const id = `20261201-120000-${count.toString(16).padStart(4, '0')}`;
  const at = Date.UTC(2026, 11, 1, 12);
  const events: ConversationEvent[] = [{type: 'conversation', v: 1, id, at}];
  for (let i = 0; i < count; i++) {
    const text = seededText(i);
    events.push(i % 2 === 0 ? {type: 'message', id: `m${i}`, role: 'user', text, at: at + i} : {type: 'completed', id: `m${i}`, model, text, at: at + i, interrupted: false});
  }
  await writeFile(path.join(dir, `${id}.jsonl`), events.map(encodeEvent).join(''), {mode: 0o600});
  return id;
}
