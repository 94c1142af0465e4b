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
      {
        // On the cluster lab (infra/cluster/lab.sh), one for the whole project, started and removed
        // by the global set-up; infra/local/test.sh runs it after the integration tests.
        test: {
          name: 'cluster',
          include: [
            'infra/cluster/**/*.test.ts',
            'services/*/test/cluster/**/*.test.ts',
            'apps/*/test/cluster/**/*.test.ts',
          ],
          globalSetup: ['infra/cluster/global-setup.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
