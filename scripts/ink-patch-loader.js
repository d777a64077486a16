// The module loader hook behind ink-patch-hooks.js: Ink's files pass through ink-patches.js.
import {isPatchedInkFile, patchInkSource} from './ink-patches.js';

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!isPatchedInkFile(url) || loaded.source === undefined || loaded.source === null) return loaded;
  const source = typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
  return {...loaded, source: patchInkSource(url, source)};
}
