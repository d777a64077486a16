import {afterAll} from 'vitest';

// Colours are part of what a test that imports this reads (highlights, the cursor cell, the gauges'
// levels): chalk decides on them when Ink is first imported, and a test's stdout is no terminal.
// Import it first, before anything that imports Ink; FORCE_COLOR is put back after the file's tests.

const saved = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '1';

afterAll(() => {
  if (saved === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = saved;
});
