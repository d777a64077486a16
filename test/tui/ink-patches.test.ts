import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {tokenize} from '@alcalzone/ansi-tokenize';
import stringWidth from 'string-width';
import {describe, expect, it, vi} from 'vitest';
// @ts-expect-error -- plain JavaScript shared with the bundler and the loader hook, no types
import {isPatchedInkFile, NARROW_CHARACTERS, patchInkSource} from '../../scripts/ink-patches.js';

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

  it("keep yoga's wasm loader from loading Node's fetch", async () => {
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve('yoga-layout')), '..', 'binaries', 'yoga-wasm-base64-esm.js');
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain('function ya(){return w||true?');
  });

  it('measure box drawing, braille and Latin-1 as string-width does, by their length', async () => {
    const file = createRequire(import.meta.url).resolve('string-width');
    expect(isPatchedInkFile(file)).toBe(true);
    expect(isPatchedInkFile(path.join(path.dirname(file), '..', 'stdout-update', 'node_modules', 'string-width', 'index.js'))).toBe(false);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain(`/^[${NARROW_CHARACTERS as string}]*$/.test(string)`);
    // This process loads string-width through the same patch. A zero-width space (outside the fast
    // path, measured as nothing) sends a text down string-width's own slow path.
    const narrow = new RegExp(`^[${NARROW_CHARACTERS as string}]$`);
    for (let code = 0x20; code <= 0x2fff; code++) {
      const character = String.fromCodePoint(code);
      if (!narrow.test(character)) continue;
      expect([code, stringWidth(character)]).toEqual([code, stringWidth(`${character}\u200B`)]);
    }
    expect(stringWidth('CPU   ⣿⣿⡇⣀ 37% · models 1.2G …')).toBe(30);
    expect(stringWidth('│ 漢字 │')).toBe(8);
    expect(stringWidth('é́')).toBe(1);
    expect(stringWidth('×', {ambiguousIsNarrow: false})).toBe(2);
    expect(stringWidth('✅ ↔️ ◽')).toBe(8);
  });

  it('tokenize a line of narrow characters character by character, as the segmenter would', async () => {
    const file = path.join(inkBuild, '..', '..', '@alcalzone', 'ansi-tokenize', 'build', 'tokenize.js');
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain('NARROW_LINE.test(str) ? characters(str)');
    // This process loads ansi-tokenize through the patch. A zero-width space (a grapheme of its own,
    // outside the narrow characters) sends a line down the segmenter; its token is the last one.
    const slow = (line: string) => tokenize(`${line}\u200B`).slice(0, -1);
    const narrow = new RegExp(`^[${NARROW_CHARACTERS as string}]$`);
    let all = '';
    for (let code = 0x20; code <= 0x2fff; code++) {
      const character = String.fromCodePoint(code);
      if (narrow.test(character)) all += character;
    }
    expect(tokenize(all)).toEqual(slow(all));
    const lines = [
      '',
      'CPU   ⣿⣿⡇⣀ 37% · models 1.2G …',
      '\u001B[1m\u001B[38;2;10;20;30m┌ chat ─\u001B[39m\u001B[22m ○ ●',
      '\u001B]8;;https://example.com\u0007link\u001B]8;;\u0007 ✓ ✗ ✎',
      '\u001B[7m \u001B[27m> typed text',
    ];
    for (const line of lines) expect(tokenize(line)).toEqual(slow(line));
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    try {
      tokenize(lines[1] as string);
      expect(segment).not.toHaveBeenCalled();
      tokenize('漢');
      expect(segment).toHaveBeenCalledTimes(1);
    } finally {
      segment.mockRestore();
    }
    // Wide and combining characters still go through the segmenter.
    expect(tokenize('漢é́👍🏽').map((token) => token.type === 'char' && [token.value, token.fullWidth])).toEqual([
      ['漢', true],
      ['é́', false],
      ['👍🏽', true],
    ]);
  });

  it('tell a text with ESC or a C1 control from one without in one regex test, as Ink walked it', async () => {
    const file = path.join(inkBuild, 'ansi-tokenizer.js');
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain('ansiControlCharacters.test(text)');
    expect(patched).not.toMatch(/for \(const character of text\) \{\n\s+if \(isC1ControlCharacter\(character\)\) \{\n\s+return true;/);
    // This process loads Ink through the patch: every UTF-16 unit, alone and inside a text, and
    // characters outside the BMP (whose halves are never C1 controls).
    const {hasAnsiControlCharacters} = (await import(pathToFileURL(file).href)) as {hasAnsiControlCharacters: (text: string) => boolean};
    expect(String(hasAnsiControlCharacters)).toContain('ansiControlCharacters.test(text)');
    for (let code = 0; code <= 0xffff; code++) {
      const unit = String.fromCharCode(code);
      const control = code === 0x1b || (code >= 0x80 && code <= 0x9f);
      expect([code, hasAnsiControlCharacters(`text ${unit} more`)]).toEqual([code, control]);
    }
    expect(hasAnsiControlCharacters('👍🏽 𝄞 \u{10ffff}')).toBe(false);
    expect(hasAnsiControlCharacters('👍🏽\u009b')).toBe(true);
    expect(hasAnsiControlCharacters('')).toBe(false);
  });

  it('keep a text whose only escapes are SGR sequences as it is, which is what sanitizing made of it', async () => {
    const file = path.join(inkBuild, 'sanitize-ansi.js');
    expect(isPatchedInkFile(file)).toBe(true);
    const {default: sanitizeAnsi} = (await import(pathToFileURL(file).href)) as {default: (text: string) => string};
    expect(String(sanitizeAnsi)).toContain('!notSgr.test(text)');
    // A C1 CSI at the end (malformed, dropped) sends a text down Ink's tokenizing path; what that
    // path makes of the text must be what the shortcut returned. A seeded mix of text, SGR and
    // other sequences, links, C1 controls and cut sequences.
    const pieces = ['plain', ' ', '⣿⣀', '漢', '\u001B[1m', '\u001B[38;5;208m', '\u001B[38:2:1:2:3m', '\u001B[0m', '\u001B[m', '\u001B[2K', '\u001B[?25l', '\u001B[1;2H', '\u001B]8;;https://example.com\u0007', '\u001B', '\u001B[12', '\u009B31m', '\u0085', '\u001B[<1m', '\u001B[1 m'];
    let seed = 11;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    let shortcuts = 0;
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let k = next(8); k > 0; k--) text += pieces[next(next(4) === 0 ? pieces.length : 9)] as string;
      const sanitized = sanitizeAnsi(text);
      expect([text, sanitized]).toEqual([text, sanitizeAnsi(`${text}\u009B`)]);
      if (sanitized === text && text.includes('\u001B')) shortcuts++;
    }
    expect(shortcuts).toBeGreaterThan(100);
    expect(sanitizeAnsi('a\u001B[2Kb\u001B[31mc')).toBe('ab\u001B[31mc');
  });

  it.each([
    ['string-width', 'index.js', 'segmenter'],
    ['wrap-ansi', 'index.js', 'segmenter'],
    ['slice-ansi', 'tokenize-ansi.js', 'GRAPHEME_SEGMENTER'],
  ])("make %s's grapheme segmenter when it is first used, not at import", async (name, entry, variable) => {
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve(name)), entry);
    expect(isPatchedInkFile(file)).toBe(true);
    const patched = (patchInkSource as (file: string, source: string) => string)(file, await readFile(file, 'utf8'));
    expect(patched).toContain(`const ${variable} = {segment: (text) => (${variable}$made ??= new Intl.Segmenter(`);
    if (name === 'string-width') expect(patched).toContain('rgiEmojiRegex$made ??= /^\\p{RGI_Emoji}$/v');
  });

  it('leave other files alone and fail loudly when a package changed', () => {
    const patch = patchInkSource as (file: string, source: string) => string;
    expect(patch(path.join(inkBuild, 'output.js'), 'anything')).toBe('anything');
    expect(() => patch(path.join(inkBuild, 'wrap-text.js'), 'const other = 1;')).toThrow(/package changed/);
  });
});
