import {configKeyId, keyLabel, parseKeyName, unsendable, type KeySpec} from '../src/config/key-names.js';
import {keyPress, type KeyEvent} from './input/key-event.js';
import {KEY_BINDINGS, setActiveBindings, type KeyBinding, type KeyBindingId, type KeyMatcher, type KeyTable} from './keys.js';

// The config's `keys:` applied to the key table (keys.ts): each binding named there gets the keys
// written for it instead of its defaults. Pure but for `applyKeyConfig`, which puts the result in
// force. Conflicts are found by asking every other binding's matcher about the new key, so a
// binding added to the table takes part without anything here knowing it.

export type ResolvedKeys = {
  readonly table: KeyTable;
  /** One line per problem: an unknown binding, a key the terminal cannot send, a key taken. */
  readonly problems: readonly string[];
};

/** The event mai's key parser makes for `spec`: typed text for a plain character, else a key press. */
export function eventFor(spec: KeySpec): KeyEvent {
  if (!spec.ctrl && !spec.alt && Array.from(spec.name).length === 1) return {kind: 'text', text: spec.name};
  if (!spec.ctrl && !spec.alt && spec.name === 'space') return {kind: 'text', text: ' '};
  return keyPress(spec.name, '', spec);
}

/** Matches what the parser makes of `spec`; like the defaults, a named key lets Shift through. */
function specMatcher(spec: KeySpec): KeyMatcher {
  const expected = eventFor(spec);
  if (expected.kind === 'text') return (e) => e.kind === 'text' && e.text === expected.text;
  return (e) => e.kind === 'key' && e.name === spec.name && e.ctrl === spec.ctrl && e.alt === spec.alt && (!spec.shift || e.shift);
}

function isBindingId(id: string): id is KeyBindingId {
  return Object.hasOwn(KEY_BINDINGS, id);
}

/**
 * The key table with `overrides` (binding id to key names, as the config holds them) applied. A key
 * already bound stays with the binding that had it first (a default, or a binding earlier in the
 * table); a binding left with none of its new keys keeps those of its defaults that no binding
 * before it took meanwhile: every key does one thing.
 */
export function resolveKeyTable(overrides: Readonly<Record<string, readonly string[]>>, defaults: KeyTable = KEY_BINDINGS): ResolvedKeys {
  const problems: string[] = [];
  const table: Record<KeyBindingId, KeyBinding> = {...defaults};
  const pending = new Set<KeyBindingId>();
  for (const id of Object.keys(overrides)) {
    if (isBindingId(id)) {
      pending.add(id);
    } else {
      const known = (Object.keys(defaults) as KeyBindingId[]).slice(0, 4).map(configKeyId).join(', ');
      problems.push(`keys.${configKeyId(id)}: no such key binding (they are named as in the help, in snake_case: ${known}…)`);
    }
  }
  /** The keys each remapped binding was given, in the table's order. */
  const remapped = new Map<KeyBindingId, readonly KeySpec[]>();
  const ownerOf = (event: KeyEvent, self: KeyBindingId): KeyBindingId | undefined =>
    (Object.keys(table) as KeyBindingId[]).find((other) => other !== self && !pending.has(other) && table[other].match(event));

  for (const id of Object.keys(defaults) as KeyBindingId[]) {
    const names = overrides[id];
    if (!names) continue;
    const where = `keys.${configKeyId(id)}`;
    const accepted: KeySpec[] = [];
    for (const name of names) {
      const spec = parseKeyName(name);
      // The schema let only key names through; a table built by hand may still hold anything.
      if (spec === null) {
        problems.push(`${where}: "${name}" is not a key name`);
        continue;
      }
      const why = unsendable(spec);
      if (why !== null) {
        problems.push(`${where}: ${keyLabel(spec)} cannot be used: ${why}`);
        continue;
      }
      const owner = ownerOf(eventFor(spec), id);
      if (owner !== undefined) {
        problems.push(`${where}: ${keyLabel(spec)} is already ${configKeyId(owner)}'s key; ${configKeyId(owner)} keeps it`);
        continue;
      }
      if (!accepted.some((other) => keyLabel(other) === keyLabel(spec))) accepted.push(spec);
    }
    pending.delete(id);
    if (accepted.length === 0) {
      const fallback = defaultsLeft(defaults[id], remapped);
      table[id] = fallback.binding;
      const keeps = fallback.binding.keys === NO_KEY ? 'has no key' : `keeps ${fallback.binding.keys}`;
      problems.push(`${where}: no usable key given${fallback.taken.map((taken) => `; ${taken}`).join('')}; ${configKeyId(id)} ${keeps}`);
      continue;
    }
    remapped.set(id, accepted);
    const matchers = accepted.map(specMatcher);
    table[id] = {...defaults[id], keys: accepted.map(keyLabel).join(', '), match: (e) => matchers.some((m) => m(e))};
  }
  return {table, problems};
}

/** What the help shows for a binding left without a key. */
export const NO_KEY = '(no key)';

/**
 * A binding's defaults less the keys that bindings before it were remapped to (they gave their own
 * up while this one was still to come): the binding that comes first keeps a contested key.
 */
function defaultsLeft(binding: KeyBinding, remapped: ReadonlyMap<KeyBindingId, readonly KeySpec[]>): {binding: KeyBinding; taken: string[]} {
  const taken: string[] = [];
  const takenMatchers: KeyMatcher[] = [];
  for (const [owner, specs] of remapped) {
    for (const spec of specs) {
      if (!binding.match(eventFor(spec))) continue;
      taken.push(`its ${keyLabel(spec)} is ${configKeyId(owner)}'s key now`);
      takenMatchers.push(specMatcher(spec));
    }
  }
  if (taken.length === 0) return {binding, taken};
  const isTaken = (event: KeyEvent) => takenMatchers.some((matcher) => matcher(event));
  // The help's names of the keys left; a name that is no key name ("↑ (no text)") stays.
  const keys = binding.keys
    .split(', ')
    .filter((label) => {
      const spec = parseKeyName(label);
      return spec === null || !isTaken(eventFor(spec));
    })
    .join(', ');
  return {binding: {...binding, keys: keys === '' ? NO_KEY : keys, match: (event) => binding.match(event) && !isTaken(event)}, taken};
}

/** Puts the config's keys in force for every key handler and the help; returns the problems found. */
export function applyKeyConfig(overrides: Readonly<Record<string, readonly string[]>>): readonly string[] {
  const {table, problems} = resolveKeyTable(overrides);
  setActiveBindings(table, problems);
  return problems;
}
