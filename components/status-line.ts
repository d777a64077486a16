import {START_REASON} from '../src/domain.js';
import type {Notice, NoticeLevel, State, SwitchRecord} from '../src/store.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';

// What the status bar says after "model … · … tok/s": pure choices over store values.

export type StatusMessage = {readonly text: string; readonly level: NoticeLevel};

/** A notice's colour, in the status bar and in the help's recent notices. */
export const NOTICE_COLORS: Readonly<Record<NoticeLevel, string | undefined>> = {info: undefined, warn: 'yellow', error: 'red'};

/** Store text on one line: sanitized (notices carry error text, keys come from file names). */
export function oneLine(text: string): string {
  return sanitizeForTerminal(text).replace(/\s*\n\s*/g, ' ').trim();
}

/** The newer of the last notice and the last switch ("switched from A: reason"). */
export function latestMessage(notice: Notice | null, lastSwitch: SwitchRecord | null): StatusMessage | null {
  if (notice && (!lastSwitch || notice.at >= lastSwitch.at)) return {text: oneLine(notice.text), level: notice.level};
  if (!lastSwitch) return null;
  const text = lastSwitch.from
    ? `switched from ${lastSwitch.from}: ${lastSwitch.reason}`
    : `loaded ${lastSwitch.to}: ${lastSwitch.reason}`;
  return {text: oneLine(text), level: 'info'};
}

/**
 * The switch the status bar tells of. The start's plain "loaded X: ready for a first message"
 * stands only until a message is sent: after that it would be untrue, not old news. A message sent
 * before the model was ready (queued, maybe stopped there) is sent too, though older than the
 * load: the chat ends with it, unanswered. A start that says why ("X can't be used: truncated")
 * keeps saying it.
 */
export function statusSwitch(state: State): SwitchRecord | null {
  const last = state.models.lastSwitch;
  const newest = state.chat.messages.at(-1);
  if (last?.kind !== 'start' || last.reason !== START_REASON || newest === undefined) return last;
  return newest.at >= last.at || newest.role === 'user' ? null : last;
}

/** "pinned" or "auto off" when mai will not switch models by itself; null when it will. */
export function switchingMark(state: State): string | null {
  if (state.models.pinnedKey !== null) return 'pinned';
  return state.models.autoSwitch ? null : 'auto off';
}

/**
 * "key: reason" of the first model that failed or cannot be used, or null. The models box marks
 * them with ✗ and has no room for why; when nothing newer is to be said, the status bar says it.
 * A string, so a selector can return it without a fresh object each call.
 */
export function firstFailure(state: State): string | null {
  for (const entry of state.models.entries) {
    const status = state.models.status[entry.key];
    const reason = status?.state === 'failed' ? status.reason : entry.unusable;
    if (reason !== undefined) return oneLine(`${entry.key}: ${reason}`);
  }
  return null;
}
