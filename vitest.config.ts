import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ and the WebAssembly kernels first when they are missing or older than the sources.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    pool: 'threads',
    reporters: ['default'],
  },
});
