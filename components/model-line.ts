import stringWidth from 'string-width';
import type {ModelEntry, ModelStatus} from '../src/store.js';
import {fitToWidth, formatBytes} from '../src/util/format.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {sourceLabel} from './backend-line.js';

// One line of the models box, as parts the view colours: "● qwen2.5-7b…  large  4.1G demo 37%".

export type ModelLine = {
  readonly current: boolean;
  /** Sanitized (keys come from file names), cut or padded to the room left by the other parts. */
  readonly key: string;
  readonly tier: string;
  readonly size: string;
  readonly demo: boolean;
  /** "37%" while loading. */
  readonly loading: string | null;
  /** Failed to load or unusable: the reason is the status bar's to show. */
  readonly failed: boolean;
  /** Does not fit in memory now. */
  readonly tooBig: boolean;
  /** Runs in LM Studio (when sources are shown). */
  readonly lmstudio: boolean;
};

/** The key keeps at least this many columns; below it the tier shrinks to its initial. */
const MIN_KEY_COLUMNS = 8;

/** What the panel says about a model besides its key. */
export type ModelFacts = Pick<ModelLine, 'demo' | 'loading' | 'failed' | 'tooBig' | 'lmstudio'> & {
  readonly size: string;
  /** "LM Studio" for a model LM Studio runs, when sources are shown; mai's own engine goes unsaid. */
  readonly source: string | null;
};

export function modelFacts(entry: ModelEntry, status: ModelStatus | undefined, showSources = false): ModelFacts {
  const failed = status?.state === 'failed' || entry.unusable !== undefined;
  const loading = status?.state === 'loading' ? `${Math.round(Math.min(1, Math.max(0, status.progress)) * 100)}%` : null;
  const runsOn = entry.sources?.[0];
  const lmstudio = showSources && runsOn?.kind === 'lmstudio';
  return {
    demo: entry.demo,
    loading,
    failed,
    tooBig: !entry.fits && !failed,
    size: formatBytes(entry.sizeBytes),
    source: lmstudio && runsOn ? sourceLabel([runsOn]) : null,
    lmstudio,
  };
}

export function modelLine(entry: ModelEntry, status: ModelStatus | undefined, current: boolean, columns: number, showSources = false): ModelLine {
  const facts = modelFacts(entry, status, showSources);
  const size = facts.size.padStart(4);
  const flags = [facts.lmstudio ? 'lms' : '', facts.demo ? 'demo' : '', facts.loading ?? '', facts.failed ? '✗' : facts.tooBig ? '·' : ''].filter((f) => f !== '');
  const flagsWidth = flags.reduce((sum, f) => sum + 1 + stringWidth(f), 0);
  // "● " + key + " " + tier + " " + size + flags
  const keyRoom = (tierWidth: number) => columns - 2 - 1 - tierWidth - 1 - size.length - flagsWidth;
  const tier = keyRoom(6) >= MIN_KEY_COLUMNS ? entry.tier.padEnd(6) : entry.tier.slice(0, 1);
  const key = fitToWidth(sanitizeForTerminal(entry.key).replace(/\n/g, ' '), Math.max(1, keyRoom(tier.length)));
  return {...facts, current, key, tier, size};
}

/** The key alone, for the two-line layout: it gets the whole width but the "● " mark. */
export function modelName(entry: ModelEntry, columns: number): string {
  return fitToWidth(sanitizeForTerminal(entry.key).replace(/\n/g, ' '), Math.max(1, columns - 2));
}

/**
 * Which entries to show when they do not all fit in `rows`: a window that keeps the current model in
 * view, leaving the last row for a "+N more" line.
 */
export function modelWindow(count: number, currentIndex: number, rows: number): {readonly start: number; readonly end: number} {
  if (count <= rows) return {start: 0, end: count};
  const visible = Math.max(1, rows - 1);
  const start = Math.max(0, Math.min(count - visible, currentIndex - Math.floor(visible / 2)));
  return {start, end: start + visible};
}
