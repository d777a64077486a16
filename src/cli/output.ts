import {sanitizeForTerminal} from '../util/sanitize.js';

// Where CLI output goes: results on stdout (one JSON document with --json), progress and notes on
// stderr, and progress only when someone is watching it.

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Human text on stdout; anything from a model or a file is sanitized first. */
export function printLine(text = ''): void {
  process.stdout.write(sanitizeForTerminal(text) + '\n');
}

export function note(text: string): void {
  process.stderr.write(sanitizeForTerminal(text) + '\n');
}

export function progress(text: string): void {
  if (process.stderr.isTTY) note(text);
}

/** Left-aligned columns for human tables. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}
