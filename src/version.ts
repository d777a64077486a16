import {readFileSync} from 'node:fs';

// package.json sits two folders up from the built file (dist/src/) and one up from the source.
export function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {name?: string; version?: string};
      if (parsed.name === 'mai' && parsed.version) return parsed.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}
