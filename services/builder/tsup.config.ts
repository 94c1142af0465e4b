// Bundles the builder into dist/main.js. The shared workspace ships TypeScript sources, so it is
// bundled in; every npm package (its own and the shared workspace's) stays external and loads from
// node_modules.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  target: 'node20',
  splitting: false,
  clean: true,
  noExternal: [/^@cove\//],
  external: [/^[^./]/],
});
