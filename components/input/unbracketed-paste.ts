import type {KeyEvent} from './key-event.js';

/**
 * A terminal without bracketed paste (or with it off) sends a paste as typed text, its line breaks
 * as Enter. Text with a line break inside it, all in one read, is a paste: nobody types Enter and
 * then more text within one read. Text with one Enter at its very end is not (a fast typist, tmux
 * send-keys "question" Enter): that sends. So such a read becomes one paste event.
 */
export function joinUnbracketedPaste(events: readonly KeyEvent[]): readonly KeyEvent[] {
  let breakBeforeText = false;
  let sawBreak = false;
  for (const event of events) {
    if (event.kind === 'text') {
      breakBeforeText ||= sawBreak;
    } else if (isLineBreak(event)) {
      sawBreak = true;
    } else {
      return events;
    }
  }
  if (!breakBeforeText) return events;
  return [{kind: 'paste', text: events.map((e) => (e.kind === 'text' ? e.text : '\n')).join('')}];
}

function isLineBreak(event: KeyEvent): boolean {
  if (event.kind !== 'key' || event.alt) return false;
  return (event.name === 'enter' && !event.ctrl) || (event.name === 'j' && event.ctrl);
}
