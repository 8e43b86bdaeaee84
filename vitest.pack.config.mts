import { defineConfig } from 'vitest/config';

// The packed-tarball install test: slow (it packs, prebuilds and installs), so it runs on its own
// with `npm run test:pack`, after the main suite in .ci/run.
export default defineConfig({
  test: {
    include: ['test/pack/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
