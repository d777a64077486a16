import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

// Ink's Output class (ink/build/output.js), which Ink builds a frame with and does not export. The
// module is loaded from the file Ink itself imports, so this is Ink's own class, not a copy. In
// the bundle (scripts/bundle.js) this file is replaced by a plain re-export of that same file.

/** What frame-caches.ts replaces: the method that turns an Output's operations into the frame's text. */
export type InkOutputClass = {
  prototype: {
    get(): {output: string; height: number};
    /** Whether Ink's renderer may replay unchanged boxes into it (scripts/ink-patches.js). */
    replays?: boolean;
  };
};

const inkEntry = createRequire(import.meta.url).resolve('ink');
const loaded = (await import(pathToFileURL(path.join(path.dirname(inkEntry), 'output.js')).href)) as {default: InkOutputClass};

export default loaded.default;
