// lifecycle/ is the only writer of statuses and live routes: every TypeScript source of the
// deployables and the shared library is read, and any other file that writes one fails this test.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findStatusWrites } from './status-writers';

const root = path.resolve(import.meta.dirname, '../../../..');

function sourceFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '--', 'services', 'apps'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return (
    listed
      .split('\n')
      .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$|\/test\//.test(file))
      .filter((file) => !file.startsWith('services/shared/src/lifecycle/'))
      // Staged but deleted from the work tree (a move under way): nothing to read.
      .filter((file) => existsSync(path.join(root, file)))
  );
}

describe('the finder', () => {
  it('sees status, live deployment and container writes, deployment inserts and route writes', () => {
    const source = `
      import { writeRoute, readRoute } from '@cove/shared/routing/route-table';
      await db.update(apps).set({ status: 'running', statusMessage: null });
      await tx.update(schema.deployments).set({ containerId, hostPort: 1 }).where(x);
      await db.update(apps).set({ liveDeploymentId: id });
      await db.insert(deployments).values({ appId });
      await db.insert(apps).values({ name, status: 'queued' });
    `;
    expect(findStatusWrites('example.ts', source)).toEqual([
      { line: 2, what: 'imports writeRoute' },
      { line: 3, what: 'update(apps) writes status' },
      { line: 4, what: 'update(deployments) writes containerId, hostPort' },
      { line: 5, what: 'update(apps) writes liveDeploymentId' },
      { line: 6, what: 'insert(deployments): use queueDeployment' },
      { line: 7, what: 'insert(apps) writes status' },
    ]);
  });

  it('leaves other columns and tables alone', () => {
    const source = `
      await db.update(apps).set({ statusMessage: message, memoryMb: 1 });
      await db.update(deployments).set({ heartbeatAt: sql\`now()\` });
      await db.update(users).set({ status: 'x' });
      const row = { status: 'running' };
    `;
    expect(findStatusWrites('example.ts', source)).toEqual([]);
  });
});

it('finds no status or route write outside services/shared/src/lifecycle/', () => {
  const files = sourceFiles();
  expect(files.length).toBeGreaterThan(100);
  const writes = files.flatMap((file) =>
    findStatusWrites(file, readFileSync(path.join(root, file), 'utf8')).map(
      (write) => `${file}:${write.line}: ${write.what}`,
    ),
  );
  // A status change is a call into lifecycle/ (which checks the step and records it), never a raw write.
  expect(writes).toEqual([]);
}, 30_000);
