import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp, getAppWebhook } from '../../src/apps/create';
import type { AppsDeps } from '../../src/apps/deps';
import { replaceSecrets } from '../../src/apps/secrets';
import { signUp } from '../../src/auth/accounts';
import { parseConfig } from '../../src/config/load';
import { commonConfigSchema } from '../../src/config/schemas';
import { schema } from '../../src/db/client';
import { readAppSecrets } from '../../src/secrets/app-secrets';
import { DecryptionError, decryptValue, encryptValue, masterKeyId } from '../../src/secrets/crypto';
import { rotateMasterKey } from '../../src/secrets/rotate';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { accountKeyContext, certificateKeyContext } from '../../src/tls/keys';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => {
  await context.close();
});

function depsWith(env: Record<string, string>): AppsDeps {
  return {
    db: context.db,
    redis: context.redis,
    queues: { enqueueBuild: async () => {}, enqueueAppOperation: async () => {} },
    config: parseConfig(commonConfigSchema, { ...context.env, ...env }),
  };
}

test('rotation re-wraps every data key: the new key alone reads everything, the old one nothing', async () => {
  const oldKey = context.env.COVE_MASTER_KEY ?? '';
  const newKey = randomBytes(32).toString('base64');
  const before = depsWith({});
  const { user, workspace } = await signUp(context.db, {
    email: 'rotate@example.com',
    password: 'long password 1',
  });
  const actor = { workspaceId: workspace.id, userId: user.id };
  const app = await createApp(before, workspace.id, {
    name: 'rotating',
    repoUrl: 'https://example.com/r.git',
  });
  await replaceSecrets(before, actor, 'rotating', 'TOKEN = "before-rotation"\n');

  // During the rotation every process reads with both keys and writes with the new one.
  const during = depsWith({ COVE_MASTER_KEY: newKey, COVE_PREVIOUS_MASTER_KEY: oldKey });
  expect((await getAppWebhook(during, workspace.id, 'rotating')).secret).toBe(app.webhook.secret);
  const scope = { workspaceId: workspace.id, appId: app.id };

  const result = await rotateMasterKey(context.db, { previous: oldKey, current: newKey });
  expect(result).toEqual({ rewrapped: 2, alreadyCurrent: 0, unreadable: [] });
  expect(await rotateMasterKey(context.db, { previous: oldKey, current: newKey })).toMatchObject({
    rewrapped: 0,
    alreadyCurrent: 2,
  });

  const after = depsWith({ COVE_MASTER_KEY: newKey });
  expect((await getAppWebhook(after, workspace.id, 'rotating')).secret).toBe(app.webhook.secret);
  expect((await readAppSecrets(context.db, newKey, scope))?.table).toEqual({ TOKEN: 'before-rotation' });
  const [row] = await context.db.select().from(schema.appSecrets);
  expect(row?.keyId).toBe(masterKeyId(newKey));
  await expect(readAppSecrets(context.db, oldKey, scope)).rejects.toThrow(DecryptionError);
  await expect(readAppSecrets(context.db, oldKey, scope)).rejects.toThrow(/sealed with master key/);
});

test('rotation re-wraps the certificate keys and the ACME account key', async () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const host = 'rotated.apps.example.net';
  const directoryUrl = 'https://acme.example.net/directory';
  await context.db.insert(schema.tlsCertificates).values({
    host,
    challengeType: 'http-01',
    certificatePem: 'a chain',
    keyCiphertext: encryptValue(oldKey, certificateKeyContext(host), 'certificate key'),
  });
  await context.db.insert(schema.acmeAccounts).values({
    directoryUrl,
    keyCiphertext: encryptValue(oldKey, accountKeyContext(directoryUrl), 'account key'),
  });
  await rotateMasterKey(context.db, { previous: oldKey, current: newKey });
  const [certificate] = await context.db.select().from(schema.tlsCertificates);
  const [account] = await context.db.select().from(schema.acmeAccounts);
  expect(decryptValue(newKey, certificateKeyContext(host), certificate?.keyCiphertext ?? '')).toBe(
    'certificate key',
  );
  expect(decryptValue(newKey, accountKeyContext(directoryUrl), account?.keyCiphertext ?? '')).toBe(
    'account key',
  );
});
