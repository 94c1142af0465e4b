// Bundles the dashboard's server (server/main.ts) with the shared workspace's source, which ships as
// TypeScript; Next and the shared workspace's own dependencies stay external, resolved from
// node_modules at run time. The pages and routes are Next's build (.next), not this one.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const sharedManifest: unknown = JSON.parse(
  readFileSync(new URL('../../services/shared/package.json', import.meta.url), 'utf8'),
);
const sharedDependencies =
  typeof sharedManifest === 'object' && sharedManifest !== null && 'dependencies' in sharedManifest
    ? Object.keys(sharedManifest.dependencies ?? {})
    : [];

export default defineConfig({
  entry: { server: 'server/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: false,
  clean: true,
  noExternal: ['@cove/shared'],
  external: ['next', ...sharedDependencies],
});
