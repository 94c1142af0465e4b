#!/usr/bin/env node
// The `cove` bin: the bundle tsup builds (npm run build). Kept apart from dist/ so npm links the bin
// at install time, before the first build.
try {
  await import('../dist/main.js');
} catch (error) {
  if (
    error?.code === 'ERR_MODULE_NOT_FOUND' &&
    /Cannot find module '.*\/dist\/main\.js'/.test(error.message)
  ) {
    process.stderr.write(
      'cove: the CLI is not built yet: run `npm run build -w @cove/cli` in the checkout.\n',
    );
    process.exit(5);
  }
  throw error;
}
