import * as z from 'zod';
import type {ChatEntry} from '../store.js';

// A conversation on disk is JSONL, one event a line (DESIGN.md §7): appending is all a writer ever
// does, so a crash can cost at most the line being written. Replaying the events gives the
// messages back; a line that cannot be read is skipped with a warning, never a failed load.

export const CONVERSATION_FORMAT = 1;

const stats = z.object({
  tokensIn: z.number(),
  tokensOut: z.number(),
  timeToFirstTokenMs: z.number(),
  tokensPerSecond: z.number(),
  totalMs: z.number(),
  stopReason: z.enum(['eos', 'maxTokens', 'aborted']),
});

const fitReport = z.object({kept: z.number(), summarized: z.number(), dropped: z.number(), truncated: z.boolean()});

const event = z.discriminatedUnion('type', [
  /** The first line of every file. */
  z.object({type: z.literal('conversation'), v: z.number(), id: z.string(), at: z.number()}),
  /** A message complete when it was written: what the user sent. */
  z.object({type: z.literal('message'), id: z.string(), role: z.enum(['system', 'user', 'assistant']), text: z.string(), at: z.number()}),
  /** A reply begins; until its `completed` line, it is what a crash would interrupt. */
  z.object({type: z.literal('started'), id: z.string(), model: z.string(), at: z.number()}),
  /** Text of a reply in progress, appended (a few times a second, not per token). */
  z.object({type: z.literal('delta'), id: z.string(), text: z.string()}),
  /** A reply ended: its whole text, and whether it was cut off (Esc, Ctrl+C, a failure). */
  z.object({
    type: z.literal('completed'),
    id: z.string(),
    model: z.string(),
    text: z.string(),
    at: z.number(),
    interrupted: z.boolean(),
    stats: stats.optional(),
  }),
  z.object({
    type: z.literal('switch'),
    from: z.string().nullable(),
    to: z.string(),
    reason: z.string(),
    at: z.number(),
    fit: fitReport.optional(),
  }),
  /**
   * The message `from` and everything after it are taken back: its reply is written again
   * (regenerate) or the user's message is replaced by an edited one (edit). The lines before stay:
   * the file is only ever appended to, and replay honours this line.
   */
  z.object({type: z.literal('rewind'), from: z.string(), reason: z.enum(['regenerate', 'edit']), at: z.number()}),
  /** A model's summary of the messages before `upTo` (a message id), reused instead of re-made. */
  z.object({type: z.literal('summary'), upTo: z.string(), covers: z.number(), text: z.string(), model: z.string(), at: z.number(), ms: z.number()}),
]);

export type ConversationEvent = z.infer<typeof event>;

export type SavedSummary = {
  /** Id of the first message the summary does not cover. */
  readonly upTo: string;
  /** How many messages it covers. */
  readonly covers: number;
  readonly text: string;
  readonly model: string;
  readonly at: number;
};

export type ReplayedConversation = {
  readonly id: string | null;
  readonly startedAt: number | null;
  readonly messages: readonly ChatEntry[];
  /** Every summary written, oldest first: each model uses the one that suits its window. */
  readonly summaries: readonly SavedSummary[];
  readonly lastModel: string | null;
  /** What could not be read, for the user: "lines 7, 9 could not be read and were skipped". */
  readonly warnings: readonly string[];
  /**
   * The file does not end with a newline: its last line was being written when mai stopped.
   * "complete" when that line is still a whole event (only its newline is missing), "cut" when not.
   */
  readonly lastLine: 'ended' | 'complete' | 'cut';
};

/** One line per event; JSON never holds a raw newline, so the line is the unit a crash can tear. */
export function encodeEvent(value: ConversationEvent): string {
  return JSON.stringify(value) + '\n';
}

function lineList(numbers: readonly number[]): string {
  const shown = numbers.slice(0, 5).join(', ');
  return numbers.length > 5 ? `${shown} and ${numbers.length - 5} more` : shown;
}

/** The events of a file's text, and warnings for the lines that are not events. */
export function parseEvents(text: string): {events: ConversationEvent[]; warnings: string[]; lastLine: ReplayedConversation['lastLine']} {
  const lines = text.split('\n');
  // A file written completely ends with "\n": its last piece is empty. Anything else there is a
  // line whose writing was cut off (the process died mid-write).
  const torn = lines.pop() ?? '';
  const events: ConversationEvent[] = [];
  const bad: number[] = [];
  const read = (line: string): ConversationEvent | null => {
    try {
      const parsed = event.safeParse(JSON.parse(line));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = read(line);
    if (parsed) events.push(parsed);
    else bad.push(index + 1);
  });
  const warnings: string[] = [];
  if (bad.length > 0) warnings.push(`${bad.length === 1 ? 'line' : 'lines'} ${lineList(bad)} could not be read and ${bad.length === 1 ? 'was' : 'were'} skipped`);
  let lastLine: ReplayedConversation['lastLine'] = torn === '' ? 'ended' : 'cut';
  if (torn !== '') {
    const parsed = read(torn);
    if (parsed) {
      events.push(parsed);
      lastLine = 'complete';
    } else {
      warnings.push(`the last line (${lines.length + 1}) was cut off while it was written and was skipped`);
    }
  }
  return {events, warnings, lastLine};
}

/**
 * The conversation the events describe. A reply with no `completed` line was cut off by a crash:
 * it keeps the text its `delta` lines hold and is marked interrupted.
 */
export function replayEvents(events: readonly ConversationEvent[]): Omit<ReplayedConversation, 'warnings' | 'lastLine'> & {warnings: string[]} {
  const messages: (ChatEntry | null)[] = [];
  const index = new Map<string, number>();
  const warnings: string[] = [];
  let id: string | null = null;
  let startedAt: number | null = null;
  const summaries: SavedSummary[] = [];
  /** Messages taken back by a rewind: a summary reaching them is dropped without a warning. */
  const rewound = new Set<string>();
  let lastModel: string | null = null;
  const put = (entry: ChatEntry) => {
    const at = index.get(entry.id);
    if (at === undefined) {
      index.set(entry.id, messages.length);
      messages.push(entry);
    } else {
      messages[at] = entry;
    }
  };
  for (const e of events) {
    switch (e.type) {
      case 'conversation':
        id ??= e.id;
        startedAt ??= e.at;
        break;
      case 'message':
        put({id: e.id, role: e.role, text: e.text, at: e.at});
        break;
      case 'started':
        put({id: e.id, role: 'assistant', text: '', at: e.at, model: e.model, interrupted: true});
        lastModel = e.model;
        break;
      case 'delta': {
        const at = index.get(e.id);
        const entry = at === undefined ? undefined : messages[at];
        if (entry) messages[at as number] = {...entry, text: entry.text + e.text};
        break;
      }
      case 'completed':
        // A reply that failed or was stopped before its first word leaves no message.
        if (e.text === '') {
          const at = index.get(e.id);
          if (at !== undefined) messages[at] = null;
          break;
        }
        put({
          id: e.id,
          role: 'assistant',
          text: e.text,
          at: e.at,
          model: e.model,
          ...(e.interrupted ? {interrupted: true} : {}),
          ...(e.stats ? {stats: e.stats} : {}),
        });
        lastModel = e.model;
        break;
      case 'switch':
        lastModel = e.to;
        break;
      case 'rewind': {
        const from = index.get(e.from);
        if (from === undefined) break;
        for (const [messageId, at] of index) {
          if (at < from) continue;
          index.delete(messageId);
          rewound.add(messageId);
        }
        messages.length = from;
        break;
      }
      case 'summary':
        summaries.push({upTo: e.upTo, covers: e.covers, text: e.text, model: e.model, at: e.at});
        break;
    }
  }
  const kept = messages.filter((entry): entry is ChatEntry => entry !== null);
  // A summary of messages that did not survive (their lines were lost) would describe the wrong turns.
  const position = new Map(kept.map((entry, i) => [entry.id, i]));
  const valid = summaries.filter((s) => !rewound.has(s.upTo) && position.get(s.upTo) === s.covers).sort((a, b) => a.covers - b.covers);
  const lost = summaries.filter((s) => !rewound.has(s.upTo)).length - valid.length;
  if (lost > 0) {
    warnings.push(`${lost === 1 ? 'a saved summary' : `${lost} saved summaries`} no longer matched the messages and ${lost === 1 ? 'was' : 'were'} dropped`);
  }
  return {id, startedAt, messages: kept, summaries: valid, lastModel, warnings};
}

export function replayConversation(text: string): ReplayedConversation {
  const parsed = parseEvents(text);
  const replayed = replayEvents(parsed.events);
  return {...replayed, warnings: [...parsed.warnings, ...replayed.warnings], lastLine: parsed.lastLine};
}
