import {chmodSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import pino from 'pino';

// The structured event log: one JSON object per line (pino) under the state dir, mode 0600.
// Events are rare (loads, switches, failures, pressure changes), so each is written synchronously:
// a crash never loses the line that explains it.

export type EventFields = Record<string, unknown>;

export interface EventLog {
  event(name: string, fields?: EventFields): void;
  warn(name: string, fields?: EventFields): void;
  error(name: string, error: unknown, fields?: EventFields): void;
  close(): void;
}

// Whatever a caller passes, credentials never reach the file.
const REDACT = ['*.passkey', '*.clientPasskey', '*.apiKey', '*.token', '*.authorization', 'passkey', 'apiKey', 'token'];

export function openEventLog(file: string): EventLog {
  mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
  const destination = pino.destination({dest: file, sync: true, mode: 0o600, append: true});
  // A file created earlier by something else keeps its mode on open; make it private anyway.
  chmodSync(file, 0o600);
  const logger = pino({base: {pid: process.pid}, redact: {paths: REDACT, censor: '[redacted]'}}, destination);
  return {
    event: (name, fields = {}) => logger.info({...fields, event: name}),
    warn: (name, fields = {}) => logger.warn({...fields, event: name}),
    error: (name, error, fields = {}) =>
      logger.error({...fields, event: name, error: error instanceof Error ? error.message : String(error)}),
    close: () => destination.flushSync(),
  };
}

/** For library users who want no file (and for `--no-log`). */
export const silentLog: EventLog = {event() {}, warn() {}, error() {}, close() {}};
