import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The packed-tarball test builds and installs a tarball; it has its own config (npm run test:pack).
    exclude: ['test/pack/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Prints the one line saying which suites were skipped for a missing system peer (protoc, Go, ...).
    globalSetup: ['test/helpers/peer-skips.ts'],
  },
});
