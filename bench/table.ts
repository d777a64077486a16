import stringWidth from 'string-width';

// One plain-text table for a terminal: columns padded to their widest cell (by display width, so
// "×" and "µ" line up), a rule under the header. Used by `npm run bench` and the drills' summary.

export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(stringWidth(title), ...rows.map((row) => stringWidth(row[column] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - stringWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** ✓ met, ✗ missed, – no goal. */
export const metMark = (met: boolean | null): string => (met === null ? '–' : met ? '✓' : '✗');
