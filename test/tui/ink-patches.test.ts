import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
// @ts-expect-error -- plain JavaScript shared with the bundler and the loader hook, no types
import {isPatchedInkFile, patchInkSource} from '../../scripts/ink-patches.js';

// Ink's never-emptied caches (measure-text.js, wrap-text.js) are bounded in the installed Ink, and
// its renderer takes widths from the first: the patches' texts are all found (a newer Ink fails this
// test instead of leaking or slowing down again silently).

const inkBuild = path.dirname(createRequire(import.meta.url).resolve('ink'));

describe('the patches to Ink', () => {
  it.each(['measure-text.js', 'wrap-text.js'])('bound the cache in %s', async (name) => {
    const file = path.join(inkBuild, name);
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toMatch(/if \(cache\.size >= \d+\) cache\.clear\(\);/);
  });

  it('take the width of a text on screen from the measured sizes, not from measuring it again', async () => {
    const file = path.join(inkBuild, 'render-node-to-output.js');
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain('const currentWidth = measureText(text).width;');
    expect(patched).not.toMatch(/widestLine/);
  });

  it('leave other files alone and fail loudly when Ink changed', () => {
    const patch = patchInkSource as (file: string, source: string) => string;
    expect(patch(path.join(inkBuild, 'output.js'), 'anything')).toBe('anything');
    expect(() => patch(path.join(inkBuild, 'wrap-text.js'), 'const other = 1;')).toThrow(/Ink changed/);
  });
});
