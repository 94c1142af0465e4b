// DNS-01 with the operator's DNS hook: one wildcard certificate for all the apps, issued by a real
// ACME CA (pebble) whose DNS (pebble-challtestsrv) the hook sets the TXT record in, as a URL
// (challtestsrv's management API) or as a command.
import { randomUUID } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema, proxyConfigSchema } from '@cove/shared/config/schemas';
import { apps, workspaces } from '@cove/shared/db/schema/index';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { freePort, type Pebble, startPebble } from '@cove/shared/testing/pebble';
import { waitFor } from '@cove/shared/testing/wait';
import { commandDnsHook } from '@cove/shared/tls/challenges';
import { certificateManagerFromConfig } from '@cove/shared/tls/from-config';
import { readCertificateRow } from '@cove/shared/tls/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { httpsGet } from './tls-client';
import { startUpstream, type TestUpstream } from './upstream';

const appsDomain = 'apps-wild.test';
const logger = createLogger('https-wildcard-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');

let context: TestContext;
let pebble: Pebble;
let proxy: RunningProxy;
let upstream: TestUpstream;
let root: string;
let builderEnv: Record<string, string>;

beforeAll(async () => {
  context = await createTestContext();
  const httpPort = await freePort();
  pebble = await startPebble({ httpChallengePort: httpPort });
  root = await pebble.issuingRootPem();
  upstream = await startUpstream('app');
  const env = { ...context.env, COVE_APPS_DOMAIN: appsDomain, COVE_DASHBOARD_URL: 'https://dash-wild.test' };
  proxy = await startProxy(
    parseConfig(proxyConfigSchema, { ...env, COVE_PROXY_PORT: String(httpPort), COVE_PROXY_HTTPS_PORT: '0' }),
    logger,
  );
  for (const name of ['one', 'two']) {
    const [workspace] = await context.db
      .insert(workspaces)
      .values({ name: `ws-${name}` })
      .returning();
    if (!workspace) throw new Error('no workspace');
    await context.db.insert(apps).values({
      workspaceId: workspace.id,
      name,
      repoUrl: 'https://example.com/repo.git',
      branch: 'main',
      mainFile: 'app.py',
      webhookSecretCiphertext: 'unused',
    });
    await writeRoute(context.redis, context.instance, {
      appId: randomUUID(),
      appName: name,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
  }
  builderEnv = {
    ...env,
    COVE_ACME_DIRECTORY_URL: pebble.directoryUrl,
    COVE_ACME_CA_FILE: pebble.serverCaFile,
    COVE_ACME_DNS_HOOK_URL: pebble.challengeServerUrl,
  };
});

afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
  await pebble?.close();
  await context?.close();
});

describe('DNS-01 through the DNS hook', () => {
  it('issues one wildcard certificate that serves every app', async () => {
    const manager = certificateManagerFromConfig(parseConfig(builderConfigSchema, builderEnv), {
      db: context.db,
      redis: context.redis,
      logger,
    });
    await manager?.runPass();
    const row = await readCertificateRow(context.db, `*.${appsDomain}`);
    expect(row?.lastError ?? null).toBeNull();
    expect(row?.challengeType).toBe('dns-01');
    // No certificate per app: the wildcard covers them.
    expect(await readCertificateRow(context.db, `one.${appsDomain}`)).toBeNull();
    for (const name of ['one', 'two']) {
      const response = await waitFor(
        () => httpsGet(proxy.httpsPort ?? 0, `${name}.${appsDomain}`, '/', root),
        { timeoutMs: 10_000, intervalMs: 100, description: `${name} over HTTPS` },
      );
      expect(response.status).toBe(200);
      expect(response.certificate.subjectaltname).toBe(`DNS:*.${appsDomain}`);
    }
    // The dashboard's own host still goes over HTTP-01.
    expect((await readCertificateRow(context.db, 'dash-wild.test'))?.challengeType).toBe('http-01');
    await manager?.stop();
  });

  it('sets and clears the TXT record through a hook command', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cove-dns-hook-'));
    try {
      const script = join(directory, 'hook.sh');
      await writeFile(
        script,
        `#!/bin/sh\nexec curl -sf -X POST -d "{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}" ${pebble.challengeServerUrl}$1-txt\n`,
      );
      await chmod(script, 0o755);
      const hook = commandDnsHook(script);
      const resolver = new Resolver();
      resolver.setServers([pebble.dnsServer]);
      await hook.setTxt(`_acme-challenge.hooked.${appsDomain}.`, 'proof-value');
      expect(await resolver.resolveTxt(`_acme-challenge.hooked.${appsDomain}`)).toEqual([['proof-value']]);
      await hook.clearTxt(`_acme-challenge.hooked.${appsDomain}.`, 'proof-value');
      await expect(resolver.resolveTxt(`_acme-challenge.hooked.${appsDomain}`)).rejects.toThrow();
      await expect(commandDnsHook(join(directory, 'missing.sh')).setTxt('x.', 'y')).rejects.toThrow(
        /The DNS hook command .*missing\.sh set x\. failed/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
