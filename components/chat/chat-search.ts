// Searching the conversation, as pure functions over the chat's screen lines (MessageLines.ts):
// a hit is a place in one wrapped line, so what is counted is exactly what is highlighted, and a
// hit's line number is where the chat scrolls to show it. Case-insensitive, plain text (no regex:
// a user typing "(" should find a parenthesis).

export type SearchHit = {
  /** Index of the line in the whole chat, the oldest line 0. */
  readonly line: number;
  /** UTF-16 offsets in the line's text. */
  readonly start: number;
  readonly end: number;
};

export type Segment = {readonly text: string; readonly hit: 'none' | 'other' | 'current'};

/** Every hit of `query` in `lines`, in reading order; none for an empty query. */
export function findHits(lines: readonly string[], query: string): SearchHit[] {
  const needle = query.toLowerCase();
  if (needle === '') return [];
  const hits: SearchHit[] = [];
  lines.forEach((text, line) => {
    const haystack = text.toLowerCase();
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
      hits.push({line, start: at, end: at + needle.length});
    }
  });
  return hits;
}

/**
 * One line cut into plain and highlighted runs; `current` marks the start offset of the hit the user
 * is on (in this line), which is drawn differently from the others.
 */
export function highlightSegments(text: string, query: string, current: number | null = null): Segment[] {
  const hits = findHits([text], query);
  if (hits.length === 0) return [{text, hit: 'none'}];
  const segments: Segment[] = [];
  let at = 0;
  for (const hit of hits) {
    if (hit.start > at) segments.push({text: text.slice(at, hit.start), hit: 'none'});
    segments.push({text: text.slice(hit.start, hit.end), hit: hit.start === current ? 'current' : 'other'});
    at = hit.end;
  }
  if (at < text.length) segments.push({text: text.slice(at), hit: 'none'});
  return segments;
}

/** The next hit (+1) or the previous one (-1), wrapping around; 0 when there is none. */
export function stepHit(current: number, count: number, direction: 1 | -1): number {
  if (count === 0) return 0;
  return (current + direction + count) % count;
}

/**
 * The scroll offset (lines up from the bottom) that puts line `line` of `total` in the middle of a
 * pane of `rows` rows, clamped to what the chat can scroll.
 */
export function offsetShowing(line: number, total: number, rows: number, maxOffset: number): number {
  const below = total - 1 - line;
  return Math.max(0, Math.min(maxOffset, below - Math.floor((rows - 1) / 2)));
}

/** "3/12", "no match", or "" before anything is typed. */
export function hitCount(current: number, count: number, query: string): string {
  if (query === '') return '';
  return count === 0 ? 'no match' : `${current + 1}/${count}`;
}
