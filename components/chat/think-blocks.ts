// A reasoning model's thinking (`<think>…</think>`) apart from its answer, so the chat can fold it
// into one line. Pure: the chat's line builder and the streaming tail both call it, on finished
// replies and on text still streaming (where the last block may not be closed yet).

export type ReplyPart =
  | {readonly kind: 'answer'; readonly text: string}
  /** `closed` is false while the model is still thinking (no `</think>` yet). */
  | {readonly kind: 'thinking'; readonly text: string; readonly closed: boolean};

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * The reply as answer and thinking parts, in order. Every `<think>` opens a block (several are
 * kept apart); an unterminated one runs to the end of the text (a reply streaming, or one cut
 * off). A `</think>` with no opener before it is what some templates do (the opening tag is in the
 * prompt): the text before it is thinking, when it is the reply's first tag. Empty parts are left out.
 */
export function splitThinking(text: string): ReplyPart[] {
  const parts: ReplyPart[] = [];
  const answer = (part: string) => {
    if (part.trim() !== '') parts.push({kind: 'answer', text: trimNewlines(part)});
  };
  let i = 0;
  const firstOpen = text.indexOf(OPEN);
  const firstClose = text.indexOf(CLOSE);
  if (firstClose !== -1 && (firstOpen === -1 || firstClose < firstOpen)) {
    parts.push({kind: 'thinking', text: trimNewlines(text.slice(0, firstClose)), closed: true});
    i = firstClose + CLOSE.length;
  }
  while (i < text.length) {
    const open = text.indexOf(OPEN, i);
    if (open === -1) {
      answer(text.slice(i));
      break;
    }
    answer(text.slice(i, open));
    const start = open + OPEN.length;
    const close = text.indexOf(CLOSE, start);
    if (close === -1) {
      parts.push({kind: 'thinking', text: trimNewlines(text.slice(start)), closed: false});
      break;
    }
    parts.push({kind: 'thinking', text: trimNewlines(text.slice(start, close)), closed: true});
    i = close + CLOSE.length;
  }
  return parts;
}

/** Whether the text holds any thinking at all (cheap: most replies have none). */
export function hasThinking(text: string): boolean {
  return text.includes(OPEN) || text.includes(CLOSE);
}

/** The one line a folded block shows: "thinking… (12 lines, Ctrl+K to show)". */
export function foldedThinkingLine(part: {readonly text: string; readonly closed: boolean}, key: string): string {
  const lines = part.text === '' ? 0 : part.text.split('\n').length;
  const what = part.closed ? 'thought' : 'thinking…';
  return `${what} (${lines} ${lines === 1 ? 'line' : 'lines'}, ${key} to show)`;
}

function trimNewlines(text: string): string {
  return text.replace(/^\n+/, '').replace(/\n+$/, '');
}
