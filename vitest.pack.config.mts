import { defineConfig } from 'vitest/config';

// The packed-tarball install test and the prebuild checks: slow (they pack, prebuild and install on
// every runtime), so they run on their own with `npm run test:pack`, after the main suite in .ci/run.
export default defineConfig({
  test: {
    include: ['test/pack/**/*.test.ts'],
    testTimeout: 600_000,
    // A cold prepack cross-compiles four prebuilds (scripts/prebuildify.mjs), several minutes on 2 cores.
    hookTimeout: 1_800_000,
  },
});
