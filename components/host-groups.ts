import type {BackendStatus, ModelEntry} from '../src/store.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import type {BackendLine} from './backend-line.js';

// The models box with other hosts (DESIGN.md §9): the models grouped by the machine they run on,
// `local` first, then each host in the order mai tries them, under a row that says how the host is.

const LOCAL = 'local';

export type PanelRow = {readonly kind: 'host'; readonly name: string; readonly line: BackendLine} | {readonly kind: 'model'; readonly entry: ModelEntry};

/** The statuses of backends on other hosts (a local LM Studio keeps its own footer row). */
export function remoteStatuses(backends: Readonly<Record<string, BackendStatus>>): BackendStatus[] {
  return Object.values(backends).filter((status) => status.host !== undefined && status.host !== LOCAL);
}

function latencyText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return ` ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** "● gpu-box 4.2 ms", "◌ gpu-box: reconnecting…", "○ gpu-box: down", "✗ gpu-box: not answering". */
export function hostLine(name: string, status: BackendStatus | undefined): BackendLine {
  const host = sanitizeForTerminal(name).replace(/\s+/g, ' ');
  if (name === LOCAL) return {mark: '●', text: 'local', color: 'green', dim: false};
  switch (status?.state) {
    case 'connected':
      return {mark: '●', text: `${host}${latencyText(status.latencyMs)}`, color: 'green', dim: false};
    case 'reconnecting':
      return {mark: '◌', text: `${host}: reconnecting…`, color: 'yellow', dim: false};
    case 'checking':
    case undefined:
      return {mark: '◌', text: `${host}: checking…`, color: undefined, dim: true};
    case 'not-running':
      return {mark: '○', text: `${host}: down`, color: undefined, dim: true};
    case 'error':
      return {mark: '✗', text: `${host}: not answering`, color: 'red', dim: false};
  }
}

/** A header row per host, each followed by its models; a host with no models still shows how it is. */
export function groupByHost(entries: readonly ModelEntry[], backends: Readonly<Record<string, BackendStatus>>): PanelRow[] {
  const remote = remoteStatuses(backends);
  const names = [LOCAL, ...new Set(remote.map((status) => status.host as string))];
  for (const entry of entries) if (entry.host && !names.includes(entry.host)) names.push(entry.host);
  return names.flatMap((name): PanelRow[] => {
    const models = entries.filter((entry) => (entry.host ?? LOCAL) === name);
    if (name === LOCAL && models.length === 0) return [];
    const status = remote.find((candidate) => candidate.host === name);
    return [{kind: 'host', name, line: hostLine(name, status)}, ...models.map((entry) => ({kind: 'model' as const, entry}))];
  });
}
