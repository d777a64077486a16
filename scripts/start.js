#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the build (a no-op check of a few ms
// otherwise), then runs the built CLI in this same process. Running through tsx instead would
// add about a second to every start. The CLI run is the bundle (scripts/bundle.js), as installed.
import {spawnSync} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'dist', 'bin', 'cli.js');

function newestMtime(target) {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, name)));
  return newest;
}

function isStale() {
  let built;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    return true;
  }
  // scripts/: the bundler and the patches to Ink it applies are part of what `mai` is.
  const sources = ['src', 'components', 'bench', 'test', 'scripts', 'tsconfig.json', 'package.json'];
  return sources.some((source) => newestMtime(path.join(root, source)) > built);
}

if (isStale()) {
  process.stderr.write('building mai…\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], {stdio: ['ignore', 'inherit', 'inherit']});
  if (result.status !== 0) process.exit(result.status ?? 1);
  const bundled = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle.js')], {stdio: ['ignore', 'inherit', 'inherit']});
  if (bundled.status !== 0) process.exit(bundled.status ?? 1);
}

if (process.argv[2] === '--build-only') process.exit(0);
await import(pathToFileURL(entry).href);
