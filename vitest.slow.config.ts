import {defineConfig} from 'vitest/config';
import base, {SLOW_TESTS} from './vitest.config.js';

// `npm run test:slow`: the tests left out of `npm test` to keep it within CI's 15 minutes on two
// cores (test/slow/); the slow drills run with `npm run drills`.

export default defineConfig({
  test: {
    ...base.test,
    include: [SLOW_TESTS.replace('**', '**/*.test.ts'), SLOW_TESTS.replace('**', '**/*.test.tsx')],
    exclude: ['**/node_modules/**'],
  },
});
