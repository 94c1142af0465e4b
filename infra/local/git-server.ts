// The local set-up's git forge: serves $COVE_STATE_DIR/git over smart HTTP on 127.0.0.1 and holds
// the sample app's repository (created from infra/local/sample-app on first start).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGitServer } from '@cove/shared/testing/git-server';

const stateDir = process.env.COVE_STATE_DIR ?? '.cove';
const port = Number(process.env.COVE_GIT_PORT ?? 4090);
const root = path.resolve(stateDir, 'git');
const sampleDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sample-app');

const server = await startGitServer({ root, port });
if (!existsSync(path.join(root, 'sample.git'))) {
  const files: Record<string, string> = {};
  for (const name of await readdir(sampleDir))
    files[name] = await readFile(path.join(sampleDir, name), 'utf8');
  await server.createRepo('sample', files);
}
process.stdout.write(`git server on ${server.baseUrl}, serving ${root}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)));
}
