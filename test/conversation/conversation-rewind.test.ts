import {describe, expect, it} from 'vitest';
import {encodeEvent, replayConversation, type ConversationEvent} from '../../src/conversation/conversation-events.js';

// A reply written again, or a message edited and resent, is a `rewind` line appended to the file:
// what replay gives back is the conversation as the user last saw it.

const AT = Date.UTC(2026, 11, 2, 5, 0, 0);
const lines = (...events: ConversationEvent[]) => events.map(encodeEvent).join('');

const header: ConversationEvent = {type: 'conversation', v: 1, id: 'c1', at: AT};
const ask = (id: string, text: string): ConversationEvent => ({type: 'message', id, role: 'user', text, at: AT});
const answer = (id: string, model: string, text: string): ConversationEvent[] => [
  {type: 'started', id, model, at: AT},
  {type: 'completed', id, model, text, at: AT, interrupted: false},
];

describe('replaying rewinds', () => {
  it('a regenerated reply replaces the old one', () => {
    const conversation = replayConversation(
      lines(header, ask('u1', 'hi'), ...answer('a1', 'small', 'old'), {type: 'rewind', from: 'a1', reason: 'regenerate', at: AT}, ...answer('a2', 'large', 'new')),
    );
    expect(conversation.messages.map((m) => [m.role, m.text, m.model ?? null])).toEqual([
      ['user', 'hi', null],
      ['assistant', 'new', 'large'],
    ]);
    expect(conversation.warnings).toEqual([]);
  });

  it('an edited message replaces its turn, message and reply, and later turns', () => {
    const conversation = replayConversation(
      lines(
        header,
        ask('u1', 'first'),
        ...answer('a1', 'small', 'one'),
        ask('u2', 'secnod'),
        ...answer('a2', 'small', 'two'),
        {type: 'rewind', from: 'u2', reason: 'edit', at: AT},
        ask('u3', 'second'),
        ...answer('a3', 'small', 'two again'),
      ),
    );
    expect(conversation.messages.map((m) => m.text)).toEqual(['first', 'one', 'second', 'two again']);
  });

  it('a rewind to a message the file does not hold changes nothing', () => {
    const conversation = replayConversation(lines(header, ask('u1', 'hi'), {type: 'rewind', from: 'gone', reason: 'edit', at: AT}));
    expect(conversation.messages.map((m) => m.text)).toEqual(['hi']);
  });

  it('a summary reaching into what was taken back is dropped without a warning; one before it stays', () => {
    const conversation = replayConversation(
      lines(
        header,
        ask('u1', 'a'),
        ...answer('a1', 'small', 'b'),
        ask('u2', 'c'),
        {type: 'summary', upTo: 'u2', covers: 2, text: 'a and b', model: 'small', at: AT, ms: 1},
        ...answer('a2', 'small', 'd'),
        {type: 'summary', upTo: 'a2', covers: 3, text: 'a to c', model: 'small', at: AT, ms: 1},
        {type: 'rewind', from: 'a2', reason: 'regenerate', at: AT},
      ),
    );
    expect(conversation.summaries.map((s) => s.upTo)).toEqual(['u2']);
    expect(conversation.warnings).toEqual([]);
  });
});
