// One config file on its own: parse and validate it, so that every error points into this file.

import {LineCounter, parseDocument} from 'yaml';
import {ConfigError} from './config-error.js';
import {byPosition, findings, problemAt, syntaxProblems} from './locate-problems.js';
import {dropEmpty, type Data} from './plain-data.js';
import {configSchema, PARSE_ONCE} from './schema.js';
import type {ConfigFile} from './types.js';

/**
 * Parses and validates one config file on its own, so that every error points into this file.
 * A file may leave any setting out (the bundled file provides it); only a `models` entry must be
 * whole (its `key`). Throws ConfigError listing every problem, in file order.
 */
export function parseConfigText(text: string, filePath: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, prettyErrors: false});
  const file: ConfigFile = {path: filePath, data: {}, doc, lineCounter};
  const syntax = syntaxProblems(file);
  if (syntax.length > 0) throw new ConfigError(syntax.sort(byPosition));

  let js: unknown;
  try {
    js = dropEmpty(doc.toJS({maxAliasCount: 100}));
  } catch (error) {
    // Only alias bombs get here (too many alias expansions); they have no single place.
    throw new ConfigError([{source: filePath, line: 1, col: 1, message: `invalid YAML: ${(error as Error).message}`}]);
  }
  const data = js ?? {};
  const result = configSchema.safeParse(data, PARSE_ONCE);
  const problems = result.success
    ? []
    : findings(result.error.issues, data)
        // Inside a `models` or `hosts` entry a missing field (its key, a host's url) is an error of this file.
        .filter((f) => !f.missing || ((f.keys[0] === 'models' || f.keys[0] === 'hosts') && f.keys.length > 2))
        .map((f) => problemAt(file, f));
  if (problems.length > 0) throw new ConfigError(problems.sort(byPosition));
  return {...file, data: data as Data};
}
