// Changes to Ink 6.8's own files. Two caches never forget: measure-text.js keeps the size of every
// text Ink has measured and wrap-text.js every text it has wrapped or cut, for the life of the
// process. In a chat every streamed token makes new texts (the streaming line, the status bar's
// tok/s and ctx), so the UI process grew with every reply: the R9 soak drill measured +6.5-7.9 %
// RSS over 900 messages, most of it these caches (ink#986; bounded upstream only in Ink 8, which
// needs Node 22).
// Here each is emptied when it reaches MAX_ENTRIES: what is on screen is measured again once. And
// a frame's text widths come from measure-text's cache (see the last patch).
//
// Applied to Ink's own files as they are loaded: by the bundler for the `mai` command
// (scripts/bundle.js), and by a module loader hook (ink-patch-hooks.js) for the tests and the
// benchmarks that load Ink from node_modules. A patch whose text is not found fails loudly: Ink
// changed, and this file must follow it.

const MAX_ENTRIES = 2000;

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
    if (!patched.includes(from)) throw new Error(`scripts/ink-patches.js: "${from}" is not in ${file} any more: Ink changed, update the patch`);
    patched = patched.replace(from, to);
  }
  return patched;
}
