import {describe, expect, it} from 'vitest';
import {maiTerminals, typeText} from '../support/pty-terminal.js';
import {seedConversation, SEEDED_USER_TEXT} from '../support/seed-conversation.js';

// Issue 11's end-to-end test: a 1,000-message conversation resumed in the real `mai chat` in a
// pseudo-terminal scrolls (PageUp/PageDown a page, Home/End to the first and last message) and
// still takes typing and sends. Every seeded message ends with its number, "(417)".

const terminals = maiTerminals();

const KEYS = {pageUp: '\x1b[5~', pageDown: '\x1b[6~', home: '\x1b[H', end: '\x1b[F'};

/** The numbers of the seeded messages whose ending is on screen, in the chat pane. */
function numbersShown(screen: string): number[] {
  return [...screen.matchAll(/\((\d+)\)/g)].map((match) => Number(match[1]));
}

describe('a resumed 1,000-message conversation in a real terminal', () => {
  it('scrolls by page and to either end, and takes typing and a message', async () => {
    const sandbox = await terminals.sandbox(['demo-small']);
    const id = await seedConversation(sandbox.env, 1000, 'mai-demo-small');
    const session = await terminals.open(['demo-small'], {args: ['chat', '--resume', id]});
    const {child, waitFor, waitUntil, screen} = session;
    await waitFor(new RegExp(`resumed conversation ${id}: 1,?000 messages`));
    await waitFor('(999)');

    child.stdin.write(KEYS.pageUp);
    await waitUntil('a page up from the end', () => !screen().includes('(999)') && numbersShown(screen()).length > 0);
    const pageUp = Math.max(...numbersShown(screen()));
    expect(pageUp).toBeLessThan(999);
    child.stdin.write(KEYS.pageUp);
    await waitUntil('another page up', () => numbersShown(screen()).length > 0 && Math.max(...numbersShown(screen())) < pageUp);
    child.stdin.write(KEYS.pageDown);
    await waitUntil('a page down again', () => Math.max(...numbersShown(screen())) === pageUp);

    child.stdin.write(KEYS.home);
    await waitUntil('the first message after Home', () => screen().includes(`${SEEDED_USER_TEXT.slice(0, 30)}`) && numbersShown(screen())[0] === 0);
    expect(screen()).not.toContain('(999)');
    child.stdin.write(KEYS.end);
    await waitUntil('the last message after End', () => screen().includes('(999)') && !numbersShown(screen()).includes(0));

    await typeText(session, 'and one more');
    child.stdin.write('\r');
    await waitFor(/and one more[\s\S]*Hello! I am mai-demo-small/);
  });
});
