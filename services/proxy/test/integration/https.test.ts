// HTTPS end to end with a real ACME CA (Debian's pebble): the builder's certificate manager issues
// over HTTP-01 through the proxy, the proxy serves the certificates with modern TLS, redirects plain
// HTTP, renews short-lived certificates under load without a failed request, keeps serving when the
// CA is down, and records why a challenge failed.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import path from 'node:path';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema, type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { apps, workspaces } from '@cove/shared/db/schema/index';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { freePort, type Pebble, startPebble } from '@cove/shared/testing/pebble';
import { waitFor } from '@cove/shared/testing/wait';
import { certificateManagerFromConfig } from '@cove/shared/tls/from-config';
import type { CertificateManager } from '@cove/shared/tls/manager';
import { readCertificateRow } from '@cove/shared/tls/store';
import { chromium } from '@playwright/test';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayDirVariable, relayPortsVariable, startHostRelay } from '../../../../e2e/browser-network/relay';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { nextMessage, send, waitForOpen } from './client';
import { handshakeError, httpsGet, openSecureWebSocket } from './tls-client';
import { startUpstream, type TestUpstream } from './upstream';

const appsDomain = 'apps-cove.test';
const dashboardHost = 'cove-dashboard.test';
const helloHost = `hello.${appsDomain}`;
const logger = createLogger('https-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');
/** Short enough that a renewal (at half the lifetime) happens within the test. */
const validitySeconds = 20;
const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');

let context: TestContext;
let pebble: Pebble;
let proxy: RunningProxy;
let proxyConfig: ProxyConfig;
let app: TestUpstream;
let dashboard: TestUpstream;
let manager: CertificateManager;
let root: string;

async function insertApp(name: string): Promise<void> {
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
}

function serial(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}

beforeAll(async () => {
  context = await createTestContext();
  const httpPort = await freePort();
  pebble = await startPebble({ httpChallengePort: httpPort, certificateValiditySeconds: validitySeconds });
  root = await pebble.issuingRootPem();
  [app, dashboard] = await Promise.all([startUpstream('hello'), startUpstream('dashboard')]);
  const env = {
    ...context.env,
    COVE_APPS_DOMAIN: appsDomain,
    COVE_APPS_SCHEME: 'https',
    COVE_DASHBOARD_URL: `https://${dashboardHost}`,
  };
  proxyConfig = parseConfig(proxyConfigSchema, {
    ...env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: String(httpPort),
    COVE_PROXY_HTTPS_PORT: '0',
    COVE_PROXY_PUBLIC_HTTPS_PORT: '8443',
    COVE_PROXY_DASHBOARD_UPSTREAM: `http://127.0.0.1:${dashboard.port}`,
    COVE_HSTS_MAX_AGE_SECONDS: '600',
  });
  proxy = await startProxy(proxyConfig, logger);
  await writeRoute(context.redis, context.instance, {
    appId: randomUUID(),
    appName: 'hello',
    status: 'running',
    upstream: { host: '127.0.0.1', port: app.port },
  });
  await insertApp('hello');
  const builderConfig = parseConfig(builderConfigSchema, {
    ...env,
    COVE_ACME_DIRECTORY_URL: pebble.directoryUrl,
    COVE_ACME_CA_FILE: pebble.serverCaFile,
    COVE_ACME_EMAIL: 'ops@example.com',
    COVE_TLS_RENEW_FRACTION: '0.5',
    COVE_TLS_CHECK_INTERVAL_SECONDS: '1',
    COVE_TLS_RETRY_BASE_SECONDS: '1',
    COVE_TLS_RETRY_MAX_SECONDS: '2',
  });
  const built = certificateManagerFromConfig(builderConfig, { db: context.db, redis: context.redis, logger });
  if (built === null) throw new Error('no certificate manager');
  manager = built;
  manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await proxy?.stop();
  await Promise.all([app?.close(), dashboard?.close()]);
  await pebble?.close();
  await context?.close();
});

function servedCertificate(host: string) {
  return waitFor(
    async () => {
      const response = await httpsGet(proxy.httpsPort ?? 0, host, '/', root);
      return response.status === 200 ? response : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: `a certificate for ${host}` },
  );
}

describe('issuance over HTTP-01', () => {
  it('serves each app host and the dashboard host with a certificate from the CA, over TLS 1.3', async () => {
    const response = await servedCertificate(helloHost);
    expect(response.protocol).toBe('TLSv1.3');
    expect(response.certificate.subjectaltname).toBe(`DNS:${helloHost}`);
    const seen = JSON.parse(response.body);
    expect(seen).toMatchObject({ upstream: 'hello' });
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(response.headers['strict-transport-security']).toBe('max-age=600');

    const toDashboard = await servedCertificate(dashboardHost);
    expect(toDashboard.certificate.subjectaltname).toBe(`DNS:${dashboardHost}`);
    expect(JSON.parse(toDashboard.body)).toMatchObject({ upstream: 'dashboard' });
    expect(toDashboard.headers['strict-transport-security']).toBe('max-age=600');

    // Stored encrypted: the key is not in the row in the clear.
    const row = await readCertificateRow(context.db, helloHost);
    expect(row?.keyCiphertext).toMatch(/^v2\./);
    expect(row?.keyCiphertext).not.toContain('PRIVATE KEY');
    expect(row?.lastError).toBeNull();
  });

  it('redirects plain HTTP to HTTPS once the host has a certificate, but answers the CA there', async () => {
    await servedCertificate(helloHost);
    const redirected = await send(proxy.port, helloHost, '/page?x=1');
    expect(redirected.status).toBe(308);
    expect(redirected.headers.location).toBe(`https://${helloHost}:8443/page?x=1`);
    const challenge = await send(proxy.port, helloHost, '/.well-known/acme-challenge/unknown-token');
    expect(challenge.status).toBe(404);
  });

  it('refuses TLS 1.1 and older, and a name it has no certificate for', async () => {
    const port = proxy.httpsPort ?? 0;
    const old = await handshakeError(port, helloHost, { ca: root, maxVersion: 'TLSv1.1' });
    expect(old.error).not.toBeNull();
    const tls12 = await handshakeError(port, helloHost, {
      ca: root,
      maxVersion: 'TLSv1.2',
      minVersion: 'TLSv1.2',
    });
    expect(tls12).toEqual({ error: null, protocol: 'TLSv1.2' });
    const unknown = await handshakeError(port, `nobody.${appsDomain}`, { ca: root, maxVersion: 'TLSv1.3' });
    expect(unknown.error).not.toBeNull();
  });

  it('carries a WebSocket over TLS (wss)', async () => {
    await servedCertificate(helloHost);
    const socket = openSecureWebSocket(proxy.httpsPort ?? 0, helloHost, root);
    await waitForOpen(socket);
    socket.send('over tls');
    const message = await nextMessage(socket);
    expect(message.data.toString()).toBe('over tls');
    socket.close();
    expect(app.upgradeHeaders.at(-1)?.['x-forwarded-proto']).toBe('wss');
  });
});

describe('in Chromium', () => {
  it('opens the app over HTTPS and keeps a WebSocket open through the proxy', async () => {
    await servedCertificate(helloHost);
    // Chromium trusts no test CA: accept exactly the chain pebble's intermediate signs.
    const row = await readCertificateRow(context.db, helloHost);
    const [, intermediatePem] = (row?.certificatePem ?? '').split(/(?<=-----END CERTIFICATE-----)\s*/);
    const spki = new X509Certificate(intermediatePem ?? '').publicKey.export({ type: 'spki', format: 'der' });
    // In a network namespace of its own, as the journeys run it (e2e/browser-network/relay.ts): a
    // veth Docker adds on the host is then no network change that aborts its loads.
    const port = proxy.httpsPort ?? 0;
    const relay = await startHostRelay([port]);
    const browser = await chromium.launch({
      executablePath: path.join(repositoryRoot, 'e2e', 'browser-network', 'chromium.sh'),
      env: { ...process.env, [relayDirVariable]: relay.dir, [relayPortsVariable]: String(port) },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--host-resolver-rules=MAP *.${appsDomain} 127.0.0.1`,
        `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`,
      ],
    });
    try {
      const page = await browser.newPage();
      const response = await page.goto(`https://${helloHost}:${proxy.httpsPort}/from-chromium`);
      expect(response?.status()).toBe(200);
      expect(await response?.headerValue('strict-transport-security')).toBe('max-age=600');
      expect(JSON.parse((await page.textContent('body')) ?? '{}')).toMatchObject({ url: '/from-chromium' });
      const echoed = await page.evaluate(
        (url) =>
          new Promise<string>((resolve, reject) => {
            const socket = new WebSocket(url);
            socket.onopen = () => socket.send('hello from chromium');
            socket.onmessage = (event) => resolve(String(event.data));
            socket.onerror = () => reject(new Error('websocket failed'));
          }),
        `wss://${helloHost}:${proxy.httpsPort}/_stcore/stream`,
      );
      expect(echoed).toBe('hello from chromium');
    } finally {
      await browser.close();
      await relay.close();
    }
  });
});

describe('a challenge that fails', () => {
  it("records the CA's reason and retries with backoff", async () => {
    // The CA will look for broken.<domain> where nothing listens.
    await fetch(`${pebble.challengeServerUrl}add-a`, {
      method: 'POST',
      body: JSON.stringify({ host: `broken.${appsDomain}`, addresses: ['127.0.0.2'] }),
    });
    await insertApp('broken');
    const failed = await waitFor(
      async () => {
        const row = await readCertificateRow(context.db, `broken.${appsDomain}`);
        return row !== null && row.failedAttempts >= 2 ? row : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'two failed attempts for broken' },
    );
    expect(failed.certificatePem).toBeNull();
    expect(failed.lastError).toMatch(/127\.0\.0\.2.*(refused|connect)/i);
    expect(failed.nextAttemptAt?.getTime()).toBeGreaterThan(failed.lastErrorAt?.getTime() ?? 0);
    // The app removed, its certificate row goes with it.
    await context.db.delete(apps).where(eq(apps.name, 'broken'));
    await waitFor(async () => (await readCertificateRow(context.db, `broken.${appsDomain}`)) === null, {
      timeoutMs: 10_000,
      intervalMs: 200,
      description: "broken's certificate row to be removed",
    });
  });
});

describe('renewal of short-lived certificates', () => {
  it('replaces the certificate before it expires with no failed request under load', async () => {
    const first = await servedCertificate(helloHost);
    const firstSerial = first.certificate.serialNumber;
    let failures = 0;
    let requests = 0;
    let renewedSerial: string | undefined;
    const deadline = Date.now() + (validitySeconds + 10) * 1000;
    const client = async () => {
      while (renewedSerial === undefined && Date.now() < deadline) {
        try {
          const response = await httpsGet(proxy.httpsPort ?? 0, helloHost, '/', root);
          requests += 1;
          if (response.status !== 200) failures += 1;
          if (response.certificate.serialNumber !== firstSerial)
            renewedSerial = response.certificate.serialNumber;
        } catch {
          failures += 1;
        }
      }
    };
    await Promise.all([client(), client(), client()]);
    expect(renewedSerial).toBeDefined();
    expect(failures).toBe(0);
    expect(requests).toBeGreaterThan(10);
    const row = await readCertificateRow(context.db, helloHost);
    expect(row?.certificatePem && serial(row.certificatePem)).toBe(renewedSerial);
  });
});

describe('a CA that is down', () => {
  it('keeps serving the previous certificate, records the error, and issues once the CA is back', async () => {
    await servedCertificate(helloHost);
    await pebble.stopCa();
    const failed = await waitFor(
      async () => {
        const row = await readCertificateRow(context.db, helloHost);
        return row?.lastError ? row : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'a failed renewal while the CA is down' },
    );
    expect(failed.lastError).toMatch(/Could not reach https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    // The certificate issued before still serves (renewal starts at half its lifetime).
    const during = await httpsGet(proxy.httpsPort ?? 0, helloHost, '/', root);
    expect(during.status).toBe(200);
    expect(during.certificate.serialNumber).toBe(failed.certificatePem && serial(failed.certificatePem));
    expect(new Date(during.certificate.valid_to).getTime()).toBeGreaterThan(Date.now());

    await pebble.startCa();
    // A restarted pebble has a new root: the next certificate chains to it.
    const newRoot = await pebble.issuingRootPem();
    const after = await waitFor(
      async () => {
        const response = await httpsGet(proxy.httpsPort ?? 0, helloHost, '/', newRoot).catch(() => undefined);
        return response?.status === 200 ? response : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'a certificate from the restarted CA' },
    );
    expect(after.certificate.serialNumber).not.toBe(during.certificate.serialNumber);
    const row = await readCertificateRow(context.db, helloHost);
    expect(row?.lastError).toBeNull();
    expect(row?.failedAttempts).toBe(0);
  });
});
