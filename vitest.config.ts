import {fileURLToPath} from 'node:url';
import {defineConfig} from 'vitest/config';

/** Drills too slow for every run of `npm test`: `npm run drills` runs them (vitest.drills.config.ts). */
export const SLOW_DRILLS = 'test/drills/slow/**';
/** Tests too slow for every run of `npm test` (a long chat, one load per demo model): `npm run test:slow`. */
export const SLOW_TESTS = 'test/slow/**';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['**/node_modules/**', SLOW_DRILLS, SLOW_TESTS],
    globalSetup: ['test/support/global-setup.ts'],
    // Ink's caches bounded in the test processes as in the bundled \`mai\` (scripts/ink-patches.js).
    execArgv: ['--import', fileURLToPath(new URL('./scripts/ink-patch-hooks.js', import.meta.url))],
    // The engine tests load real models in child processes; on a 2-core machine parallel files
    // starve each other and turn into timeouts, so files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
