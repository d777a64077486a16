import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {HELP_KEYS_COLUMNS, helpLayout, type HelpCell} from '../../components/help-layout.js';
import {helpSections, KEY_BINDINGS} from '../../components/keys.js';

// The help's rows (pure): every key's description whole at any width, over as many lines as it needs.

/** Each column's key entries: the keys, and the description's lines joined again. */
function entries(width: number): Map<string, string> {
  const layout = helpLayout({width, height: 200, bindings: KEY_BINDINGS, notices: [], footerRows: 1, offset: 0});
  const found = new Map<string, string>();
  const columns: HelpCell[][] = [[], []];
  for (const row of layout.rows) row.forEach((cell, c) => columns[c]?.push(cell));
  for (const column of columns) {
    let keys = '';
    for (const cell of column) {
      if (cell.kind !== 'key') continue;
      expect(stringWidth(cell.text), `"${cell.text}" at ${width} columns`).toBeLessThanOrEqual(layout.columnWidth - HELP_KEYS_COLUMNS);
      if (cell.keys !== '') keys = cell.keys;
      found.set(keys, cell.keys === '' ? `${found.get(keys)} ${cell.text}` : cell.text);
    }
  }
  return found;
}

describe('the help layout', () => {
  it.each([80, 100, 120, 200])('shows every key with its whole description at %i columns', (width) => {
    const shown = entries(width);
    for (const id of helpSections().flatMap((section) => section.ids)) {
      expect(shown.get(KEY_BINDINGS[id].keys), id).toBe(KEY_BINDINGS[id].description);
    }
  });

  it('splits the sections where the two columns are the most even', () => {
    const {rows} = helpLayout({width: 120, height: 200, bindings: KEY_BINDINGS, notices: [], footerRows: 1, offset: 0});
    const used = (c: number) => rows.filter((row) => row[c] !== undefined && row[c].kind !== 'blank').length;
    expect(Math.abs(used(0) - used(1))).toBeLessThanOrEqual(6);
  });
});
