#!/usr/bin/env node
// Bundles the built CLI (dist/src/cli.js, from tsc) and the engine host into dist/bin/, the files
// `mai` runs. Loading ~750 module files one by one (Ink alone pulls in 415 of es-toolkit's) held
// the chat's first frame back by most of a second on a 2-core machine; a few bundled chunks load
// in a fraction of that, and hold less memory. The lazy `import()`s stay lazy: each becomes its own
// chunk, so `mai --help` and `mai ask` still never load React or Ink.
//
// dist/bin/ sits two levels down like dist/src/, so the paths the code resolves from its own file
// (package.json, config/models.yaml, ./engine-host.js beside the engine's client) hold in both.
import {build} from 'esbuild';
import {readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isPatchedInkFile, patchInkSource} from './ink-patches.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// components/ink/ink-output-class.ts loads Ink's Output class from Ink's own file at run time; in the
// bundle Ink is inside, so the class is that file's export, bundled once with the rest of Ink.
const inkOutput = path.join(path.dirname(createRequire(import.meta.url).resolve('ink')), 'output.js');
const inkOutputClass = {
  name: 'ink-output-class',
  setup(build) {
    build.onLoad({filter: /[\\/]components[\\/]ink[\\/]ink-output-class\.js$/}, () => ({
      contents: `export {default} from ${JSON.stringify(inkOutput)};`,
      loader: 'js',
    }));
  },
};

// Ink's unbounded caches bounded, and the other changes to Ink and what it draws with (ink-patches.js says why).
const inkPatches = {
  name: 'ink-patches',
  setup(build) {
    build.onLoad({filter: /[\\/](ink[\\/]build[\\/][\w-]+|(string-width|wrap-ansi)[\\/]index|slice-ansi[\\/]tokenize-ansi|ansi-tokenize[\\/]build[\\/]tokenize|yoga-layout[\\/]dist[\\/]binaries[\\/][\w-]+)\.js$/}, (args) =>
      isPatchedInkFile(args.path) ? {contents: patchInkSource(args.path, readFileSync(args.path, 'utf8')), loader: 'js'} : undefined,
    );
  },
};

// Chunk names carry a hash of their content: last build's chunks would pile up beside the new ones.
rmSync(path.join(root, 'dist', 'bin'), {recursive: true, force: true});

await build({
  absWorkingDir: root,
  entryPoints: {cli: 'dist/src/cli.js', 'engine-host': 'dist/src/backends/embedded/engine-host.js'},
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // node-llama-cpp finds its native binaries relative to its own files; Ink's devtools load only
  // with DEV=true, from a package mai does not ship.
  external: ['node-llama-cpp', 'react-devtools-core'],
  // Bundled CommonJS packages (React, ws) call require() for Node's own modules.
  banner: {js: "import {createRequire as __maiCreateRequire} from 'node:module'; const require = __maiCreateRequire(import.meta.url);"},
  // React's production build, with the development one left out (chat.ts also sets NODE_ENV for
  // the unbundled build; that assignment is what esbuild would warn about). Whitespace and syntax
  // are minified, names are not: a crash's stack trace stays readable.
  define: {'process.env.NODE_ENV': '"production"'},
  logOverride: {'assign-to-define': 'silent'},
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  plugins: [inkOutputClass, inkPatches],
  logLevel: 'warning',
});
