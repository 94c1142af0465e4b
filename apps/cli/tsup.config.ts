// Bundles the CLI into dist/main.js, the `cove` bin. The shared workspace ships TypeScript sources,
// so its contracts are bundled in; npm packages stay external and load from node_modules.
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
