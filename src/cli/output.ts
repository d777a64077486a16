import {Document, isScalar, visit} from 'yaml';
import {escapeSerializedControls, jsonForTerminal, sanitizeForTerminal} from '../util/sanitize.js';

// Where CLI output goes: results on stdout (one JSON document with --json), progress and notes on
// stderr, and progress only when someone is watching it.

/** One JSON document on stdout; C1 and bidi controls in its strings are escaped as \\uXXXX. */
export function printJson(value: unknown): void {
  process.stdout.write(jsonForTerminal(value, 2) + '\n');
}

const TERMINAL_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * YAML for a terminal: a scalar holding a control character is written double-quoted, where YAML
 * escapes C0 itself and `\\uXXXX` stands for the rest, so the document still reads back the same.
 */
export function yamlForTerminal(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && TERMINAL_UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return escapeSerializedControls(document.toString());
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
