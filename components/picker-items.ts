import {Fzf, type FzfResultItem} from 'fzf';
import type {SavedConversation} from '../src/commands.js';
import type {ModelEntry, ModelsState} from '../src/store.js';
import {formatBytes} from '../src/util/format.js';
import {sanitizeForTerminal} from '../src/util/sanitize.js';
import {sourceLabel} from './backend-line.js';

// What the picker lists (Picker.tsx): the rows of the model picker (Ctrl+O) and of the conversation
// picker (Ctrl+R), and the fuzzy filter over them. Pure: the view and the key layer compute the
// same rows from the same store values and query, so Enter picks the row the user sees.

export type PickerKind = 'model' | 'conversation';

export type PickerItem = {
  /** What Enter acts on: a model key or a conversation ID. */
  readonly id: string;
  /** The first column, sanitized and on one line: the model's key, the conversation's first line. */
  readonly title: string;
  /** The other columns, sanitized, in order. */
  readonly details: readonly string[];
  /** ● for the current model. */
  readonly current: boolean;
  /** Cannot be picked now (does not fit, failed): dimmed, still listed and still pickable. */
  readonly dim: boolean;
  /** The text the filter matches. */
  readonly search: string;
};

/** One line of text from a file name, a server or a model: no escapes, no line breaks. */
function clean(text: string): string {
  return sanitizeForTerminal(text).replace(/\s+/g, ' ').trim();
}

/** Where a model runs: "embedded", "LM Studio", or the name of the host it runs on. */
export function modelSource(entry: ModelEntry): string {
  const first = entry.sources?.[0];
  const host = first?.host ?? entry.host;
  if (host !== undefined && host !== 'local') return clean(host);
  return sourceLabel(first ? [first] : [{backendId: entry.backendId, kind: entry.backendId === 'lmstudio' ? 'lmstudio' : 'embedded', key: entry.key}]);
}

function modelState(models: ModelsState, entry: ModelEntry): string {
  const status = models.status[entry.key];
  if (entry.key === models.currentKey) return models.pinnedKey === entry.key ? 'current, pinned' : 'current';
  if (status?.state === 'loading') return `loading ${Math.round(Math.min(1, Math.max(0, status.progress)) * 100)}%`;
  if (status?.state === 'failed' || entry.unusable !== undefined) return '✗ unusable';
  if (status?.state === 'loaded' || entry.loadedBy !== undefined) return 'loaded';
  return '';
}

/**
 * Every model: the ones switched to lately first (newest first, from the switches the models slice
 * keeps), then the others in catalogue order. Each row: tier, size, memory estimate, whether it
 * fits now, loaded / current, and where it runs.
 */
export function modelItems(models: ModelsState): PickerItem[] {
  const recent: string[] = [];
  for (let i = models.switches.length - 1; i >= 0; i--) {
    const key = models.switches[i]?.to;
    if (key !== undefined && !recent.includes(key)) recent.push(key);
  }
  const rank = (entry: ModelEntry) => {
    const index = recent.indexOf(entry.key);
    return index === -1 ? recent.length : index;
  };
  const ordered = models.entries
    .map((entry, index) => ({entry, index}))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({entry}) => entry);
  return ordered.map((entry) => {
    const source = modelSource(entry);
    const failed = models.status[entry.key]?.state === 'failed' || entry.unusable !== undefined;
    const details = [
      entry.tier,
      formatBytes(entry.sizeBytes),
      `needs ${formatBytes(entry.estimateBytes)}`,
      entry.fits ? 'fits' : 'too big now',
      modelState(models, entry),
      source,
      entry.demo ? 'demo' : '',
    ];
    const title = clean(entry.key);
    return {
      id: entry.key,
      title,
      details,
      current: entry.key === models.currentKey,
      dim: failed || !entry.fits,
      search: [title, clean(entry.displayName), source, entry.tier, clean(entry.quant ?? '')].join(' '),
    };
  });
}

/** "2026-11-24 10:31" in the user's time zone (as `mai chat --list` shows it). */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * Saved conversations, the most recent first: the first line, when it was last active, how many
 * messages. The one on screen is marked ● and "on screen", as the current model is in the model
 * picker.
 */
export function conversationItems(conversations: readonly SavedConversation[]): PickerItem[] {
  return conversations.map((conversation) => {
    const title = clean(conversation.firstLine) || '(no message)';
    const when = localTime(conversation.updatedAt);
    const count = `${conversation.messages} ${conversation.messages === 1 ? 'message' : 'messages'}`;
    const onScreen = conversation.onScreen === true;
    const details = onScreen ? [when, count, 'on screen'] : [when, count];
    return {id: conversation.id, title, details, current: onScreen, dim: false, search: `${title} ${when} ${conversation.id}`};
  });
}

/**
 * The items the query matches, best first (fzf's fuzzy match, case-insensitive); all of them in
 * their own order for an empty query.
 */
export function filterItems(items: readonly PickerItem[], query: string): readonly PickerItem[] {
  const wanted = query.trim();
  if (wanted === '') return items;
  return new Fzf<readonly PickerItem[]>(items, {selector: (item: PickerItem) => item.search, casing: 'case-insensitive'}).find(wanted).map((result: FzfResultItem<PickerItem>) => result.item);
}

/** The rows the picker shows for its kind and query: what the view draws and Enter picks from. */
export function pickerRows(
  kind: PickerKind | null,
  query: string,
  models: ModelsState,
  conversations: readonly SavedConversation[] | null,
): readonly PickerItem[] {
  if (kind === null) return [];
  const items = kind === 'model' ? modelItems(models) : conversationItems(conversations ?? []);
  return filterItems(items, query);
}
