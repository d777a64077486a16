import {defineConfig} from 'vitest/config';
import base from './vitest.config.js';

// `npm run drills`: the drills of issue 13 (test/drills/drill-list.ts), slow ones included, and the
// existing end-to-end tests that are drills where they are (named "Rn: …"); only tests so named
// run. Ends with the drill table (test/drills/drill-reporter.ts).

export default defineConfig({
  // JSX compiled as for a release: R9's soak measures the UI with React's production build (what
  // `mai chat` loads), whose JSX runtime has no development entry point.
  oxc: {jsx: {development: false}},
  test: {
    ...base.test,
    include: [
      'test/drills/**/*.test.ts',
      'test/drills/**/*.test.tsx',
      'test/backends/lmstudio-mai.test.ts',
      'test/cli/cli.test.ts',
      'test/config/config.test.ts',
      'test/manager/autopilot.test.ts',
      'test/tui/tui-terminal.test.ts',
    ],
    exclude: ['**/node_modules/**'],
    testNamePattern: /(^|\s)R\d+: /,
    // Drills are whole scenarios (several cold loads, dwells, a memory hog): on a shared 2-core
    // machine one can pass a minute. The bound is for a broken run, never a timing goal.
    testTimeout: 240_000,
    reporters: ['default', './test/drills/drill-reporter.ts'],
  },
});
