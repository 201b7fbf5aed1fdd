import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The stand-in for the worker-injected @azure/functions-core must be in place before
    // @azure/functions is first required, exactly as the real Node worker arranges it.
    setupFiles: ['test/local/functionsHost/installFunctionsCore.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'src/domain/**/*.ts': { lines: 100, branches: 100, functions: 100, statements: 100 },
      },
    },
  },
});
