// `node --import ./scripts/ink-patch-hooks.js …`: Ink's unbounded caches bounded (ink-patches.js)
// for code that loads Ink from node_modules (the tests, the benchmarks' children), as the bundle
// that is the `mai` command has them.
import {register} from 'node:module';

register('./ink-patch-loader.js', import.meta.url);
