// The settings take a Python version only among those the installation lists (COVE_RUNTIME_IMAGES),
// and the app's view lists them, with the platform's idle times, for the settings form. After a
// rollback, a build with new settings says which commit it builds, and can keep the live one.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../../src/apps/create';
import type { AppsDeps } from '../../src/apps/deps';
import { updateApp } from '../../src/apps/settings';
import { signUp } from '../../src/auth/accounts';
import { parseConfig } from '../../src/config/load';
import { commonConfigSchema } from '../../src/config/schemas';
import { schema } from '../../src/db/client';
import { CoveError } from '../../src/errors';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;
let deps: AppsDeps;
let workspaceId: string;

beforeAll(async () => {
  context = await createTestContext();
  deps = {
    db: context.db,
    redis: context.redis,
    queues: { enqueueBuild: async () => {}, enqueueAppOperation: async () => {} },
    config: parseConfig(commonConfigSchema, {
      ...context.env,
      COVE_RUNTIME_IMAGES: '3.11=cove/runtime:dev,3.13=cove/runtime:dev-trixie',
      COVE_FREEZE_AFTER_SECONDS: '900',
    }),
  };
  ({
    workspace: { id: workspaceId },
  } = await signUp(context.db, { email: 'python@example.com', password: 'long password 1' }));
});
afterAll(async () => {
  await context?.close();
});

test('a listed version is taken; another is refused naming those on offer', async () => {
  const created = await createApp(deps, workspaceId, {
    name: 'pythons',
    repoUrl: 'http://127.0.0.1:9/r.git',
  });
  expect(created.offeredPythonVersions).toEqual(['3.11', '3.13']);
  expect(created.idle.platformFreezeAfterSeconds).toBe(900);
  expect(created.idle.platformStopAfterSeconds).toBe(3600);

  const refused = await updateApp(deps, workspaceId, 'pythons', { pythonVersion: '3.12' }).catch(
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(CoveError);
  const message = 'Python 3.12 is not offered here; choose 3.11 or 3.13.';
  expect(refused).toMatchObject({
    code: 'invalid_input',
    message,
    details: { fields: { pythonVersion: message } },
  });

  const moved = await updateApp(deps, workspaceId, 'pythons', { pythonVersion: '3.13' });
  expect(moved.isRebuilding).toBe(true);
  expect(moved.app.pythonVersion).toBe('3.13');
});

test('after a rollback, new settings build the live commit when asked, and say which commit builds', async () => {
  const app = await createApp(deps, workspaceId, { name: 'rolled', repoUrl: 'http://127.0.0.1:9/r.git' });
  const liveSha = 'a'.repeat(40);
  const [rollback] = await context.db
    .insert(schema.deployments)
    .values({
      appId: app.id,
      workspaceId,
      trigger: 'rollback',
      branch: 'main',
      commitSha: liveSha,
      status: 'running',
    })
    .returning();
  if (!rollback) throw new Error('no deployment');
  await context.db
    .update(schema.apps)
    .set({ liveDeploymentId: rollback.id })
    .where(eq(schema.apps.id, app.id));

  const head = await updateApp(deps, workspaceId, 'rolled', { pythonVersion: '3.13' });
  expect(head.message).toContain(
    'This builds the head of main, not aaaaaaa, the version a rollback made live.',
  );
  const headBuild = await deploymentOf(head.deploymentId);
  expect(headBuild?.commitSha).toBeNull();

  const kept = await updateApp(deps, workspaceId, 'rolled', { pythonVersion: '3.11', buildFrom: 'live' });
  expect(kept.message).toContain('This builds aaaaaaa, the live version, with the new settings.');
  expect((await deploymentOf(kept.deploymentId))?.commitSha).toBe(liveSha);

  const refused = await updateApp(deps, workspaceId, 'rolled', { branch: 'other', buildFrom: 'live' }).catch(
    (error: unknown) => error,
  );
  expect(refused).toMatchObject({
    code: 'invalid_input',
    details: { fields: { buildFrom: expect.any(String) } },
  });
});

async function deploymentOf(id: string | null) {
  if (id === null) return undefined;
  const [row] = await context.db.select().from(schema.deployments).where(eq(schema.deployments.id, id));
  return row;
}
