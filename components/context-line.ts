import type {ContextReport} from '../src/store.js';
import {formatCount} from '../src/util/locale-free.js';

// What the status bar says about the context: how full the current model's window is and, when the
// conversation does not fit it, what was sent in full, summarized and left out. Pure, so it is
// table-tested.

export type ContextLine = {readonly text: string; readonly warn: boolean};

const count = formatCount;

/** "ctx 534/1,024: 2 kept, 50 summarized, 8 dropped, summarizing…", or null before the first fit. */
export function contextLine(report: ContextReport | null): ContextLine | null {
  if (!report) return null;
  const used = `ctx ${count(report.promptTokens)}/${count(report.contextLength)}`;
  const parts: string[] = [];
  if (report.truncated) parts.push('your message cut to fit');
  else if (report.summarized > 0 || report.dropped > 0) {
    parts.push(`${count(report.kept)} kept`);
    if (report.summarized > 0) parts.push(`${count(report.summarized)} summarized`);
    if (report.dropped > 0) parts.push(`${count(report.dropped)} dropped`);
  }
  if (report.summarizing) parts.push('summarizing…');
  return {text: parts.length > 0 ? `${used}: ${parts.join(', ')}` : used, warn: report.truncated || report.dropped > 0};
}
