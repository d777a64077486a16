// Changes to Ink 6.8's own files and to the packages it draws with, each explained beside it:
// - measure-text.js and wrap-text.js keep every text Ink measured or wrapped, for the life of the
//   process. In a chat every streamed token makes new texts (the streaming line, the status bar's
//   tok/s and ctx), so the UI process grew with every reply: the R9 soak drill measured +6.5-7.9 %
//   RSS over 900 messages, most of it these caches (ink#986; bounded upstream only in Ink 8, which
//   needs Node 22). Here each is emptied when it reaches MAX_ENTRIES: what is on screen is
//   measured again once.
// - render-node-to-output.js takes a text's width from measure-text's cache, and (once mai's frame
//   caches are installed, components/ink/frame-caches.ts) replays a box none of whose nodes changed
//   since the last frame: the operations it added then, the very objects. dom.js and
//   reconciler.js forget a box's operations whenever it or anything inside it changes.
// - yoga-layout's wasm loader does not load Node's fetch; string-width measures box drawing,
//   braille and Latin-1 by their length, as it does ASCII, and ansi-tokenize reads such a line
//   character by character instead of through the grapheme segmenter.
// - Each package's grapheme segmenter, and string-width's emoji regex, are made when first used:
//   ICU loads its segmentation rules for the process's first Intl.Segmenter (17 ms here) and
//   /^\p{RGI_Emoji}$/v builds a set of every emoji sequence (19 ms), both at import, before the
//   chat's first frame, which needs neither.
//
// Applied to the files as they are loaded: by the bundler for the `mai` command
// (scripts/bundle.js), and by a module loader hook (ink-patch-hooks.js) for the tests and the
// benchmarks that load Ink from node_modules. A patch whose text is not found fails loudly: the
// package changed, and this file must follow it.

const MAX_ENTRIES = 2000;

/**
 * Characters that are each one grapheme one terminal column wide, as string-width measures them
 * (with ambiguous-width characters narrow, its default), and none of them an emoji: printable
 * ASCII; Latin-1 but © ® and the soft hyphen; general punctuation (dashes, quotes, bullets, the
 * ellipsis, ‹ ›) but the bidi controls and ‼ ⁉; arrows but the eight with an emoji form; mathematical
 * operators (⋯); box drawing, block elements and geometric shapes (○ ● ◌ ▸ ▾) but eight emoji
 * ones; ✎ ✓ ✗; braille. A regex character class body; test/tui/ink-patches.test.ts checks every
 * character in it against string-width's own slow path.
 */
export const NARROW_CHARACTERS = [
  '\\u0020-\\u007E',
  '\\u00A0-\\u00A8\\u00AA-\\u00AC\\u00AF-\\u00FF',
  '\\u2010-\\u2027\\u2030-\\u203B\\u203D-\\u2048\\u204A-\\u205E',
  '\\u2190-\\u2193\\u219A-\\u21A8\\u21AB-\\u21FF\\u2200-\\u22FF',
  '\\u2500-\\u25A9\\u25AC-\\u25B5\\u25B7-\\u25BF\\u25C1-\\u25FA',
  '\\u270E\\u2713\\u2717\\u2800-\\u28FF',
].join('');

/** A top-level `const name = new Intl.Segmenter(args);` made on its first `segment` call. */
function lazySegmenter(name, args = '') {
  return [`const ${name} = new Intl.Segmenter(${args});`, `let ${name}$made; const ${name} = {segment: (text) => (${name}$made ??= new Intl.Segmenter(${args})).segment(text)};`];
}

const PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]measure-text\.js$/,
    replacements: [['    cache.set(text, dimensions);', `    if (cache.size >= ${MAX_ENTRIES}) cache.clear();\n    cache.set(text, dimensions);`]],
  },
  {
    file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
    replacements: [
      ['const cache = {};', 'const cache = new Map();'],
      ['const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);'],
      ['    cache[cacheKey] = wrappedText;', `    if (cache.size >= ${MAX_ENTRIES}) cache.clear();\n    cache.set(cacheKey, wrappedText);`],
    ],
  },
  {
    // Every frame Ink measured the widest line of every text on screen again (widest-line: each
    // line through string-width, whose slow path for a box-drawing or braille character segments
    // and regex-tests every character): 14 % of the UI's CPU while a reply streamed. measure-text.js
    // already computes that width, cached (and bounded above) by the text.
    file: /[\\/]ink[\\/]build[\\/]render-node-to-output\.js$/,
    replacements: [
      ["import widestLine from 'widest-line';", "import measureText from './measure-text.js';"],
      ['const currentWidth = widestLine(text);', 'const currentWidth = measureText(text).width;'],
      // A box in the same place and size, under the same transformers, none of whose nodes changed
      // (dom.js and reconciler.js forget its operations when one does): what it drew last frame.
      [
        '        let clipped = false;\n',
        `        let replay;
        if (node.nodeName === 'ink-box' && output.replays === true) {
            const width = yogaNode.getComputedWidth();
            const height = yogaNode.getComputedHeight();
            const last = node.internal_replay;
            if (last && last.x === x && last.y === y && last.width === width && last.height === height &&
                last.transformers.length === transformers.length && last.transformers.every((transformer, i) => transformer === transformers[i])) {
                for (const operation of last.operations) output.operations.push(operation);
                return;
            }
            replay = { x, y, width, height, transformers, start: output.operations.length, operations: [] };
        }
        let clipped = false;
`,
      ],
      [
        `            if (clipped) {
                output.unclip();
            }
        }
    }
};`,
        `            if (clipped) {
                output.unclip();
            }
        }
        if (replay) {
            replay.operations = output.operations.slice(replay.start);
            node.internal_replay = replay;
        }
    }
};`,
      ],
    ],
  },
  {
    // Every change to a node passes through here or reconciler.js: the box it is in, and every box
    // around that, forget what they drew.
    file: /[\\/]ink[\\/]build[\\/]dom\.js$/,
    replacements: [
      [
        'export const appendChildNode = (node, childNode) => {',
        'export const forgetRendered = (node) => {\n    for (let at = node; at; at = at.parentNode) at.internal_replay = undefined;\n};\nexport const appendChildNode = (node, childNode) => {\n    forgetRendered(node);',
      ],
      ['export const insertBeforeNode = (node, newChildNode, beforeChildNode) => {', 'export const insertBeforeNode = (node, newChildNode, beforeChildNode) => {\n    forgetRendered(node);'],
      ['export const removeChildNode = (node, removeNode) => {', 'export const removeChildNode = (node, removeNode) => {\n    forgetRendered(node);'],
      ['export const setTextNodeValue = (node, text) => {', 'export const setTextNodeValue = (node, text) => {\n    forgetRendered(node);'],
    ],
  },
  {
    file: /[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    replacements: [
      ["import { createTextNode, appendChildNode, insertBeforeNode, removeChildNode, setStyle, setTextNodeValue, createNode, setAttribute, } from './dom.js';", "import { createTextNode, appendChildNode, insertBeforeNode, removeChildNode, setStyle, setTextNodeValue, createNode, setAttribute, forgetRendered, } from './dom.js';"],
      ['        if (!props && !style) {\n            return;\n        }\n', '        if (!props && !style) {\n            return;\n        }\n        forgetRendered(node);\n'],
      ['    hideInstance(node) {\n', '    hideInstance(node) {\n        forgetRendered(node);\n'],
      ['    unhideInstance(node) {\n', '    unhideInstance(node) {\n        forgetRendered(node);\n'],
    ],
  },
  {
    // yoga-layout's Emscripten glue fetch()es its own wasm from a data: URL whenever fetch exists:
    // on Node that loaded undici, Node's fetch, only to decode base64 (60 ms of the chat's start
    // and a few MB kept). The glue's own path for a runtime without fetch decodes it in place.
    file: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    replacements: [['function ya(){return w||"function"!=typeof fetch?', 'function ya(){return w||true?']],
  },
  {
    // string-width's fast path (width = length) covers printable ASCII only: a line with a box or
    // braille character, an ellipsis or a middle dot (every gauge row, every panel's border
    // text) went through Intl.Segmenter and an emoji regex per character, every frame, and the
    // chat's first frame waited 60 ms for ICU's segmenter data. These characters are each one
    // grapheme one column wide (test/tui/ink-patches.test.ts checks every one against the slow
    // path). Only the top-level copy, the one Ink and mai draw with.
    file: /^(?!.*node_modules[\\/].+[\\/]node_modules[\\/]string-width[\\/]).*[\\/]node_modules[\\/]string-width[\\/]index\.js$/,
    replacements: [
      lazySegmenter('segmenter'),
      ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'let rgiEmojiRegex$made; const rgiEmojiRegex = {test: (text) => (rgiEmojiRegex$made ??= /^\\p{RGI_Emoji}$/v).test(text)};'],
      [
        'if (/^[\\u0020-\\u007E]*$/.test(string)) {',
        // Latin-1, box drawing and the rest are East Asian "ambiguous": narrow by default only.
        `if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /^[${NARROW_CHARACTERS}]*$/.test(string))) {`,
      ],
    ],
  },
  {
    file: /^(?!.*node_modules[\\/].+[\\/]node_modules[\\/]wrap-ansi[\\/]).*[\\/]node_modules[\\/]wrap-ansi[\\/]index\.js$/,
    replacements: [lazySegmenter('segmenter')],
  },
  {
    file: /^(?!.*node_modules[\\/].+[\\/]node_modules[\\/]slice-ansi[\\/]).*[\\/]node_modules[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
    replacements: [lazySegmenter('GRAPHEME_SEGMENTER', "undefined, {granularity: 'grapheme'}")],
  },
  {
    // Ink 6.8 sanitizes every text it squashes (each render of a text that changed, and each
    // measure) by first asking whether it holds ESC or a C1 control, walking it with the string
    // iterator, one call and one iterator result per character: the same question as one regex
    // test (C1 controls are single UTF-16 units, never halves of a surrogate pair).
    file: /[\\/]ink[\\/]build[\\/]ansi-tokenizer\.js$/,
    replacements: [
      [
        `export const hasAnsiControlCharacters = (text) => {
    if (text.includes(escapeCharacter)) {
        return true;
    }
    for (const character of text) {
        if (isC1ControlCharacter(character)) {
            return true;
        }
    }
    return false;
};`,
        'const ansiControlCharacters = /[\\u001B\\u0080-\\u009F]/;\nexport const hasAnsiControlCharacters = (text) => ansiControlCharacters.test(text);',
      ],
    ],
  },
  {
    // Ink sanitizes every squashed text: a coloured text (Ink's own colour codes, from nested
    // <Text>) was tokenized character by character and rebuilt, to keep its SGR sequences and drop
    // every other control sequence. A text whose only escapes are SGR sequences (parameters digits,
    // ':' and ';') and that has no C1 control comes out as it went in: returned at once.
    file: /[\\/]ink[\\/]build[\\/]sanitize-ansi\.js$/,
    replacements: [
      [
        `const sanitizeAnsi = (text) => {
    if (!hasAnsiControlCharacters(text)) {
        return text;
    }`,
        // An ESC not starting an SGR sequence, or a C1 control (a lookahead per ESC: no backtracking
        // that grows with the text).
        `const notSgr = /\\u001B(?!\\[[\\d:;]*m)|[\\u0080-\\u009F]/;
const sanitizeAnsi = (text) => {
    if (!hasAnsiControlCharacters(text) || !notSgr.test(text)) {
        return text;
    }`,
      ],
    ],
  },
  {
    // Ink turns every line it draws into styled characters with ansi-tokenize, which segments the
    // line into graphemes: a third of the cost of a changed line. A line of narrow characters (and
    // escape sequences: ESC and BEL are graphemes of their own) has one grapheme per character, so
    // it is walked character by character; test/tui/ink-patches.test.ts compares both paths.
    // isNarrowLine tells mai's frame builder (components/ink/frame-caches.ts) which lines it may
    // lay out itself, one cell per character, without tokenizing them.
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    replacements: [
      [
        'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });',
        `let segmenter$made;
const NARROW_LINE = /^[${NARROW_CHARACTERS}\\u001B\\u0007]*$/;
function characters(str) {
    const segments = new Array(str.length);
    for (let index = 0; index < str.length; index++) segments[index] = { segment: str[index], index };
    return segments;
}
const segmenter = { segment: (str) => NARROW_LINE.test(str) ? characters(str) : (segmenter$made ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(str) };
export const isNarrowLine = (str) => NARROW_LINE.test(str);`,
      ],
    ],
  },
];

/** Whether `file` (a path or file URL) is one of the Ink files patched here. */
export function isPatchedInkFile(file) {
  return PATCHES.some((patch) => patch.file.test(file));
}

/** `source` of `file` with its patches applied; other files come back as they are. */
export function patchInkSource(file, source) {
  const patch = PATCHES.find((candidate) => candidate.file.test(file));
  if (!patch) return source;
  let patched = source;
  for (const [from, to] of patch.replacements) {
    if (!patched.includes(from)) throw new Error(`scripts/ink-patches.js: "${from}" is not in ${file} any more: the package changed, update the patch`);
    patched = patched.replace(from, to);
  }
  return patched;
}
