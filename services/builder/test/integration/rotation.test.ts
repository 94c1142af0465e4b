// Rotating the master key while an app runs: during the rotation every process reads with both
// keys; the running container keeps serving its secret throughout; afterwards a builder holding only
// the new key restarts the app with its secret; and a builder given a wrong key says so plainly
// instead of starting the app with garbage, leaving the running version serving.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { replaceSecrets } from '@cove/shared/apps/secrets';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { createLogger } from '@cove/shared/logs/logger';
import { readAppSecrets } from '@cove/shared/secrets/app-secrets';
import { DecryptionError, masterKeyId } from '@cove/shared/secrets/crypto';
import { rotateMasterKey } from '@cove/shared/secrets/rotate';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningBuilder, startBuilder } from '../../src/builder';
import {
  type BuilderWorld,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runPythonAsApp,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let world: BuilderWorld | undefined;
let context: TestContext;
let queues: BuilderWorld['queues'];

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, queues } = world);
});
afterAll(() => stopBuilderWorld(world));

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Replaces the world's builder with one started with these master keys. */
async function restartBuilderWith(keys: { current: string; previous?: string }): Promise<RunningBuilder> {
  if (!world) throw new Error('no test world');
  await world.builder.stop();
  const env: Record<string, string> = { ...context.env, COVE_MASTER_KEY: keys.current };
  if (keys.previous) env.COVE_PREVIOUS_MASTER_KEY = keys.previous;
  else delete env.COVE_PREVIOUS_MASTER_KEY;
  const config = parseConfig(builderConfigSchema, env);
  world.builder = await startBuilder(config, createLogger('builder-test', config.COVE_LOG_LEVEL), {
    drainMs: 5_000,
  });
  return world.builder;
}

/** The hash of the secret as the app's user reads it in its container, from st.secrets. */
async function secretSeenBy(containerId: string): Promise<string> {
  const probe =
    'import hashlib, streamlit as st; print(hashlib.sha256(st.secrets["TOKEN"].encode()).hexdigest())';
  return (await runPythonAsApp(containerId, probe)).trim();
}

/** The app printing `text` and its secret to its own log, as an app might by mistake. */
async function printInApp(containerId: string, text: string): Promise<void> {
  const script = `import streamlit as st; open("/proc/1/fd/1", "w").write("${text} " + st.secrets["TOKEN"] + "\\n")`;
  await runPythonAsApp(containerId, script);
}

/** Asks the app's health every 100 ms until stopped; counts every answer that is not "ok". */
function watchHealth(port: number) {
  let isWatching = true;
  const failures: string[] = [];
  let checks = 0;
  const loop = (async () => {
    while (isWatching) {
      checks += 1;
      const answer = await health(port).catch((error: unknown) => String(error));
      if (answer !== 'ok') failures.push(answer);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      isWatching = false;
      await loop;
      return { checks, failures };
    },
  };
}

test('rotating the master key with a running app: no downtime, restarts read the secret, a wrong key is named', async () => {
  const oldKey = context.env.COVE_MASTER_KEY ?? '';
  const newKey = randomBytes(32).toString('base64');
  const secret = `rotated-${randomUUID()}`;
  await world?.git.createRepo('rotating', {
    'app.py': 'import streamlit as st\nst.write(st.secrets["TOKEN"])\n',
  });
  const app = await insertApp(context, { name: 'rotating', repoUrl: world?.git.repoUrl('rotating') ?? '' });
  const [user] = await context.db
    .insert(schema.users)
    .values({ email: `${randomUUID()}@example.com`, passwordHash: 'unused' })
    .returning();
  const deps = {
    db: context.db,
    redis: context.redis,
    queues,
    config: parseConfig(builderConfigSchema, context.env),
  };
  await replaceSecrets(
    deps,
    { workspaceId: app.workspaceId, userId: user?.id ?? '' },
    app.name,
    `TOKEN = "${secret}"\n`,
  );

  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(context, deploymentId);
  expect(deployed.status).toBe('running');
  const servingContainer = deployed.containerId ?? '';
  expect(await secretSeenBy(servingContainer)).toBe(sha256(secret));

  // The rotation: every process restarted with both keys, the data keys re-wrapped, then the old
  // key dropped. The app's container is never touched.
  const watch = watchHealth(deployed.hostPort ?? 0);
  await restartBuilderWith({ current: newKey, previous: oldKey });
  expect(await rotateMasterKey(context.db, { previous: oldKey, current: newKey })).toMatchObject({
    rewrapped: 2,
    unreadable: [],
  });
  await restartBuilderWith({ current: newKey });
  // The builder holding the new key alone reads the secrets again to mask what the app prints:
  // a line the app prints with its secret is stored masked only if that worked.
  await printInApp(servingContainer, 'after rotation');
  await waitFor(
    async () => {
      const lines = await context.db
        .select({ line: schema.deploymentLogs.line })
        .from(schema.deploymentLogs)
        .where(eq(schema.deploymentLogs.deploymentId, deploymentId));
      return lines.some((row) => row.line === 'after rotation [secret]');
    },
    { timeoutMs: 20_000, description: 'the line the app printed to be stored, masked' },
  );
  const { checks, failures } = await watch.stop();
  expect(checks).toBeGreaterThan(10);
  expect(failures).toEqual([]);
  expect((await readDeployment(context, deploymentId)).containerId).toBe(servingContainer);
  expect(await secretSeenBy(servingContainer)).toBe(sha256(secret));
  const [stored] = await context.db.select().from(schema.appSecrets);
  expect(stored?.keyId).toBe(masterKeyId(newKey));

  // A reboot after the rotation, by a builder holding only the new key, delivers the secret.
  await queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  const rebooted = await waitFor(
    async () => {
      const row = await readDeployment(context, deploymentId);
      if (row.containerId === servingContainer || row.hostPort === null) return undefined;
      return (await health(row.hostPort).catch(() => '')) === 'ok' ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the rebooted container to answer' },
  );
  expect(await secretSeenBy(rebooted.containerId ?? '')).toBe(sha256(secret));

  // The old key alone no longer opens anything, and says which key it needs.
  const scope = { workspaceId: app.workspaceId, appId: app.appId };
  await expect(readAppSecrets(context.db, oldKey, scope)).rejects.toThrow(DecryptionError);
  await expect(readAppSecrets(context.db, oldKey, scope)).rejects.toThrow(
    `sealed with master key ${masterKeyId(newKey)}`,
  );

  // A builder started with a wrong key cannot start the app with the secrets: it names the key it
  // needs, and the running container keeps serving.
  const wrongKey = randomBytes(32).toString('base64');
  await restartBuilderWith({ current: wrongKey });
  await queues.enqueueAppOperation({ appId: app.appId, operation: 'apply-secrets' });
  const refused = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      return row.statusMessage?.includes('could not decrypt') ? row : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the app to say its secrets could not be decrypted' },
  );
  expect(refused.statusMessage).toContain(`sealed with master key ${masterKeyId(newKey)}`);
  expect(refused.statusMessage).toContain(masterKeyId(wrongKey));
  expect(refused.statusMessage).not.toContain(secret);
  const stillServing = await readDeployment(context, deploymentId);
  expect(stillServing.containerId).toBe(rebooted.containerId);
  expect(await health(stillServing.hostPort ?? 0)).toBe('ok');
  expect(await secretSeenBy(stillServing.containerId ?? '')).toBe(sha256(secret));

  // Nor does a reboot with the wrong key take the running container down first.
  await context.db.update(schema.apps).set({ statusMessage: null }).where(eq(schema.apps.id, app.appId));
  await queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  const rebootRefused = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      return row.statusMessage?.includes('keeps serving') ? row : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the reboot to be refused' },
  );
  expect(rebootRefused.statusMessage).toContain('could not decrypt');
  const afterReboot = await readDeployment(context, deploymentId);
  expect(afterReboot.containerId).toBe(rebooted.containerId);
  expect(await health(afterReboot.hostPort ?? 0)).toBe('ok');
});
