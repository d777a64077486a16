// Turns what is wrong with a file (YAML errors, zod issues) into problems at FILE:LINE:COL, with
// messages about the file's own keys and values ("policy.retries: expected …, got …").

import {isAlias, isMap, isNode, isScalar, isSeq, visit, type Document} from 'yaml';
import type {z} from 'zod';
import type {ConfigProblem} from './config-error.js';
import {valueAt, type Key} from './plain-data.js';
import type {ConfigFile} from './types.js';

/** A zod issue restated for the file: where it points (`keys`, at the key or the value) and what it says. */
export type Finding = {keys: Key[]; at: 'key' | 'value'; message: string; missing: boolean};

function keyPath(keys: readonly Key[]): string {
  if (keys.length === 0) return 'top level';
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Zod issues as findings about the keys and values of `data`, the settings that were validated. */
export function findings(issues: readonly z.core.$ZodIssue[], data: unknown): Finding[] {
  return issues.flatMap((issue): Finding[] => {
    const keys = [...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({keys: [...keys, key], at: 'key', message: `${keyPath([...keys, key])}: ${issue.message}`, missing: false}));
    }
    const value = valueAt(data, keys);
    // Cross-field checks (custom issues) say all in their message; "expected …" messages get the value.
    if (!issue.message.startsWith('expected ')) return [{keys, at: 'value', message: `${keyPath(keys)}: ${issue.message}`, missing: false}];
    if (value === undefined) return [{keys, at: 'key', message: `${keyPath(keys)}: missing, ${issue.message}`, missing: true}];
    return [{keys, at: 'value', message: `${keyPath(keys)}: ${issue.message}, got ${describeValue(value)}`, missing: false}];
  });
}

/** Where a node starts in the text, if it is a node with a known place. */
function startOf(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

/**
 * The offset of `keys` in the document: of its key (`at: 'key'`, and always for an empty value)
 * or of its value. A path that does not exist resolves to the key of its deepest existing ancestor.
 */
function offsetOf(file: ConfigFile, keys: readonly Key[], at: 'key' | 'value'): number {
  let node: unknown = file.doc.contents;
  let keyOffset = startOf(node) ?? 0;
  let valueOffset = keyOffset;
  for (const key of keys) {
    if (isAlias(node)) node = node.resolve(file.doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) return keyOffset;
      keyOffset = startOf(pair.key) ?? keyOffset;
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.value === null);
      valueOffset = empty ? keyOffset : (startOf(pair.value) ?? keyOffset);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      node = node.items[key];
      keyOffset = valueOffset = startOf(node) ?? keyOffset;
    } else {
      return keyOffset;
    }
  }
  return at === 'value' ? valueOffset : keyOffset;
}

function problemAtOffset(file: ConfigFile, offset: number, message: string): ConfigProblem {
  const {line, col} = file.lineCounter.linePos(offset);
  return {source: file.path, line, col, message};
}

/** A finding as a problem at its place in `file` (whose keys it uses). */
export function problemAt(file: ConfigFile, {keys, at, message}: Finding): ConfigProblem {
  return problemAtOffset(file, offsetOf(file, keys, at), message);
}

/** The text of the mapping key that starts at `offset` (yaml reports a duplicate key by offset only). */
function keyStartingAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) found = String(pair.key.value);
    },
  });
  return found;
}

/** YAML syntax errors and aliases to anchors that do not exist. */
export function syntaxProblems(file: ConfigFile): ConfigProblem[] {
  const problems = file.doc.errors.map((error) => {
    const key = error.code === 'DUPLICATE_KEY' ? keyStartingAt(file.doc, error.pos[0]) : undefined;
    const what = key === undefined ? error.message : `duplicate key ${JSON.stringify(key)}`;
    return problemAtOffset(file, error.pos[0], `invalid YAML: ${what}`);
  });
  visit(file.doc, {
    Alias(_, alias) {
      if (alias.resolve(file.doc) === undefined) {
        problems.push(problemAtOffset(file, alias.range?.[0] ?? 0, `invalid YAML: unknown alias *${alias.source}`));
      }
    },
  });
  return problems;
}

/** Orders problems of one file as they appear in it. */
export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}
