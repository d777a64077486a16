// Merging config files (the user's over the bundled one), and tracing a problem in the merged
// settings back to the file that set it.

import type {ConfigProblem} from './config-error.js';
import {problemAt, type Finding} from './locate-problems.js';
import {modelKeyId} from './model-key.js';
import {isPlainObject, valueAt, type Data, type Key} from './plain-data.js';
import type {ConfigFile} from './types.js';

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Data = {...base};
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}

function entryKey(entry: unknown): string {
  return isPlainObject(entry) && typeof entry.key === 'string' ? modelKeyId(entry.key) : '';
}

/** Objects merge deeply, `models` entries merge by key, every other list replaces. */
export function mergeData(base: Data, over: Data): Data {
  const merged = deepMerge(base, over) as Data;
  if (Array.isArray(base.models) && Array.isArray(over.models)) {
    const entries: unknown[] = [...base.models];
    for (const entry of over.models) {
      const index = entries.findIndex((e) => entryKey(e) === entryKey(entry));
      if (index >= 0) entries[index] = deepMerge(entries[index], entry);
      else entries.push(entry);
    }
    merged.models = entries;
  }
  return merged;
}

/**
 * Where a problem in the merged settings comes from: the last file that sets the path (for a
 * `models` entry, the last file with an entry of that key), else the last file that sets part of it.
 */
export function locateMerged(files: readonly ConfigFile[], merged: Data, finding: Finding): ConfigProblem {
  const candidates = [...files].reverse().map((file): [ConfigFile, Key[]] => {
    const [top, index, ...rest] = finding.keys;
    if (top !== 'models' || typeof index !== 'number') return [file, finding.keys];
    const key = entryKey(valueAt(merged, ['models', index]));
    const own = valueAt(file.data, ['models']);
    const ownIndex = Array.isArray(own) ? own.findIndex((e) => entryKey(e) === key) : -1;
    return [file, ownIndex >= 0 ? ['models', ownIndex, ...rest] : ['models']];
  });
  const exact = candidates.find(([file, keys]) => valueAt(file.data, keys) !== undefined);
  const deepest = ([file, keys]: [ConfigFile, Key[]]) => {
    let depth = keys.length;
    while (depth > 0 && valueAt(file.data, keys.slice(0, depth)) === undefined) depth--;
    return depth;
  };
  const [file, keys] = exact ?? candidates.reduce((best, c) => (deepest(c) > deepest(best) ? c : best));
  return problemAt(file, {...finding, keys});
}
