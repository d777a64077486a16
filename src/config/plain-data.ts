// The settings as written (snake_case), before validation: plain data from YAML, walked by key path.

export type Key = PropertyKey;
export type Data = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `keys`, or undefined when the path does not exist. */
export function valueAt(data: unknown, keys: readonly Key[]): unknown {
  let value = data;
  for (const key of keys) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isPlainObject(value) && typeof key === 'string' && Object.hasOwn(value, key)) value = value[key];
    else return undefined;
  }
  return value;
}

/**
 * A key with an empty value (`policy:` whose children are all commented out) means "not set", so
 * that commenting out lines in a copy of the bundled file never makes it invalid.
 */
export function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmpty);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, dropEmpty(v)]),
  );
}
