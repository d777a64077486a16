import {mkdtemp, readFile, rm, stat, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encodeEvent, replayConversation, type ConversationEvent} from '../../src/conversation/conversation-events.js';
import {ConversationFile, ConversationNotFoundError, findConversation, listConversations} from '../../src/conversation/conversation-file.js';

// Conversations on disk: what is read back from whole files, torn files and damaged files, and how
// the files are written (private, appended, listed, found by ID).

const AT = Date.UTC(2026, 10, 24, 10, 31, 5);

const lines = (...events: ConversationEvent[]) => events.map(encodeEvent).join('');

const header: ConversationEvent = {type: 'conversation', v: 1, id: 'c1', at: AT};
const hello: ConversationEvent = {type: 'message', id: 'u1', role: 'user', text: 'hello', at: AT + 1};
const started: ConversationEvent = {type: 'started', id: 'a1', model: 'mai-demo-large', at: AT + 2};
const completed: ConversationEvent = {type: 'completed', id: 'a1', model: 'mai-demo-large', text: 'Greetings.', at: AT + 3, interrupted: false};
const second: ConversationEvent = {type: 'message', id: 'u2', role: 'user', text: 'and then?', at: AT + 4};

describe('reading a conversation back', () => {
  it('replays whole messages, in order, with no warning', () => {
    const conversation = replayConversation(lines(header, hello, started, completed, second));
    expect(conversation.id).toBe('c1');
    expect(conversation.messages.map((m) => [m.role, m.text, m.model ?? null, m.interrupted ?? false])).toEqual([
      ['user', 'hello', null, false],
      ['assistant', 'Greetings.', 'mai-demo-large', false],
      ['user', 'and then?', null, false],
    ]);
    expect(conversation.warnings).toEqual([]);
    expect(conversation.lastLine).toBe('ended');
  });

  it('keeps a reply cut off by a crash with the text its deltas hold, marked interrupted', () => {
    const text = lines(
      header,
      hello,
      started,
      {type: 'delta', id: 'a1', text: 'Greet'},
      {type: 'delta', id: 'a1', text: 'ings from'},
    );
    const [, reply] = replayConversation(text).messages;
    expect(reply).toMatchObject({role: 'assistant', text: 'Greetings from', interrupted: true, model: 'mai-demo-large'});
  });

  it('keeps a reply stopped with Esc as it ended, marked interrupted', () => {
    const stopped: ConversationEvent = {...completed, text: 'Greet', interrupted: true};
    const [, reply] = replayConversation(lines(header, hello, started, {type: 'delta', id: 'a1', text: 'Gr'}, stopped)).messages;
    expect(reply).toMatchObject({text: 'Greet', interrupted: true});
  });

  it('leaves out a reply that ended before its first word', () => {
    const nothing: ConversationEvent = {...completed, text: '', interrupted: true};
    expect(replayConversation(lines(header, hello, started, nothing, second)).messages.map((m) => m.id)).toEqual(['u1', 'u2']);
  });

  it('loads what is valid from a file whose last line was torn, and warns', () => {
    const whole = lines(header, hello, started, completed);
    const torn = whole + encodeEvent(second).slice(0, 25);
    const conversation = replayConversation(torn);
    expect(conversation.messages.map((m) => m.id)).toEqual(['u1', 'a1']);
    expect(conversation.warnings).toEqual(['the last line (5) was cut off while it was written and was skipped']);
    expect(conversation.lastLine).toBe('cut');
  });

  it('takes a last line that lost only its newline', () => {
    const conversation = replayConversation(lines(header, hello) + JSON.stringify(second));
    expect(conversation.messages.map((m) => m.id)).toEqual(['u1', 'u2']);
    expect(conversation.warnings).toEqual([]);
    expect(conversation.lastLine).toBe('complete');
  });

  it('loads what is valid around garbage lines, and says which lines were skipped', () => {
    const text = [
      encodeEvent(header),
      '\u0000\u0000\u0000garbage\n',
      encodeEvent(hello),
      '{"type":"message","id":"x"}\n', // JSON, but not an event: no role, no text
      '{"type":"teleport","id":"y"}\n',
      '[1, 2, 3]\n',
      encodeEvent(started),
      encodeEvent(completed),
    ].join('');
    const conversation = replayConversation(text);
    expect(conversation.messages.map((m) => m.text)).toEqual(['hello', 'Greetings.']);
    expect(conversation.warnings).toEqual(['lines 2, 4, 5, 6 could not be read and were skipped']);
  });

  it('reuses a saved summary, and drops one that no longer matches the messages', () => {
    const summary: ConversationEvent = {type: 'summary', upTo: 'u2', covers: 2, text: 'They said hello.', model: 'mai-demo-small', at: AT + 5, ms: 40};
    expect(replayConversation(lines(header, hello, started, completed, second, summary)).summaries).toMatchObject([{upTo: 'u2', covers: 2}]);
    const lost = replayConversation(lines(header, started, completed, second, summary));
    expect(lost.summaries).toEqual([]);
    expect(lost.warnings).toEqual(['a saved summary no longer matched the messages and was dropped']);
  });

  it('reads an empty file as an empty conversation', () => {
    expect(replayConversation('')).toMatchObject({messages: [], warnings: [], lastLine: 'ended'});
  });
});

describe('conversation files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'mai-conversations-')), 'state', 'conversations');
  });
  afterAll(async () => {
    await rm(path.dirname(path.dirname(dir)), {recursive: true, force: true});
  });

  it('are private: the file 0600, its folder 0700', async () => {
    const file = await ConversationFile.create(dir, AT);
    file.append(hello);
    await file.flush();
    await file.close();
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(file.id).toMatch(/^20261124-103105-[0-9a-f]{4}$/);
    expect(replayConversation(await readFile(file.path, 'utf8')).messages.map((m) => m.text)).toEqual(['hello']);
  });

  it('are appended to when resumed; a torn last line is removed first so new lines stay whole', async () => {
    const file = await ConversationFile.create(dir, AT);
    file.append(hello);
    await file.close();
    await writeFile(file.path, (await readFile(file.path, 'utf8')) + '{"type":"mess', {flag: 'w'});
    const {file: resumed, conversation} = await ConversationFile.open(dir, file.id);
    expect(conversation.warnings).toHaveLength(1);
    resumed.append(second);
    await resumed.close();
    const again = replayConversation(await readFile(file.path, 'utf8'));
    expect(again.messages.map((m) => m.text)).toEqual(['hello', 'and then?']);
    expect(again.warnings).toEqual([]);
  });

  it('are listed newest first with their first line and message count, and found by ID, prefix or "latest"', async () => {
    const listDir = path.join(dir, '..', 'listed');
    const older = await ConversationFile.create(listDir, AT);
    older.append({...hello, text: 'first question\nwith a second line'});
    await older.close();
    const newer = await ConversationFile.create(listDir, AT + 60_000);
    newer.append(hello);
    newer.append(started);
    newer.append(completed);
    await newer.close();
    await utimes(older.path, new Date(AT), new Date(AT));

    const listed = await listConversations(listDir);
    expect(listed.map((info) => [info.id, info.messages, info.firstLine])).toEqual([
      [newer.id, 2, 'hello'],
      [older.id, 1, 'first question'],
    ]);
    expect(await findConversation(listDir)).toBe(newer.id);
    expect(await findConversation(listDir, 'latest')).toBe(newer.id);
    expect(await findConversation(listDir, older.id)).toBe(older.id);
    expect(await findConversation(listDir, older.id.slice(0, 17))).toBe(older.id);
    await expect(findConversation(listDir, '2026')).rejects.toThrow(/matches 2 conversations/);
    await expect(findConversation(listDir, 'nope')).rejects.toThrow(ConversationNotFoundError);
    await expect(findConversation(listDir, '../../etc/passwd')).rejects.toThrow('no conversation "../../etc/passwd"');
  });

  it('say so when there are none yet', async () => {
    expect(await listConversations(path.join(dir, 'none'))).toEqual([]);
    await expect(findConversation(path.join(dir, 'none'))).rejects.toThrow('there are no saved conversations yet');
  });
});
