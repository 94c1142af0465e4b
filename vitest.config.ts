import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Files run in parallel, each integration file in its own database and instance.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'services/*/src/**/*.test.ts',
            'apps/*/{app,lib,src}/**/*.test.ts',
            'bench/**/*.test.ts',
            'chaos/**/*.test.ts',
            'e2e/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/*/test/integration/**/*.test.ts', 'apps/*/test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
