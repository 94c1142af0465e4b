// Bundles the proxy with the shared workspace's source (which ships as TypeScript); the shared
// workspace's own dependencies stay external and are resolved from node_modules at run time.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const sharedManifest: unknown = JSON.parse(
  readFileSync(new URL('../shared/package.json', import.meta.url), 'utf8'),
);
const sharedDependencies =
  typeof sharedManifest === 'object' && sharedManifest !== null && 'dependencies' in sharedManifest
    ? Object.keys(sharedManifest.dependencies ?? {})
    : [];

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: false,
  clean: true,
  noExternal: ['@cove/shared'],
  external: sharedDependencies,
});
