// Last step of `make up`: makes sure an admin account and an API token exist, deploys the sample app
// through the public API, waits for it to run, and writes the addresses to $COVE_STATE_DIR/env.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { get as getSecure } from 'node:https';
import path from 'node:path';
import { setPassword, signUp } from '@cove/shared/auth/accounts';
import { createApiToken, resolveApiToken } from '@cove/shared/auth/api-tokens';
import { markEmailVerified } from '@cove/shared/auth/email-verification';
import { loadConfigOrExit } from '@cove/shared/config/load';
import { appUrl, commonConfigSchema } from '@cove/shared/config/schemas';
import { appView } from '@cove/shared/contracts/api';
import { connectDatabase, schema } from '@cove/shared/db/client';
import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';

const config = loadConfigOrExit(commonConfigSchema);
const stateDir = path.resolve(process.env.COVE_STATE_DIR ?? '.cove');
const gitPort = Number(process.env.COVE_GIT_PORT ?? 4090);
const proxyPort = Number(process.env.COVE_PROXY_PORT ?? 4080);
const httpsPort = Number(process.env.COVE_PROXY_HTTPS_PORT ?? 4443);
/** The root of the local ACME CA (infra/local/acme.sh): what a client trusts for the HTTPS addresses. */
const caFile = path.join(stateDir, 'ca.pem');
const dashboardHttpsUrl = `https://${new URL(config.COVE_DASHBOARD_URL).hostname}:${httpsPort}`;
const appsHttpsUrlTemplate = `https://{name}.${config.COVE_APPS_DOMAIN}:${httpsPort}/`;
const adminFile = path.join(stateDir, 'admin.json');
const adminEmail = 'admin@cove.local';
const sampleName = 'hello';
const apiUrl = `${config.COVE_DASHBOARD_URL}/api/v1`;

const adminRecord = z.object({ email: z.string(), password: z.string(), token: z.string() });
type AdminRecord = z.infer<typeof adminRecord>;

async function ensureAdmin(): Promise<AdminRecord> {
  const { db, close } = connectDatabase(config.COVE_DATABASE_URL, { maxConnections: 1 });
  try {
    if (existsSync(adminFile)) {
      const saved = adminRecord.parse(JSON.parse(await readFile(adminFile, 'utf8')));
      const principal = await resolveApiToken(db, saved.token);
      if (principal) {
        // Also for an admin made before addresses were verified.
        await markEmailVerified(db, principal.userId);
        return saved;
      }
    }
    const password = randomBytes(12).toString('base64url');
    const [existing] = await db
      .select()
      .from(schema.users)
      .where(eq(schema.users.email, adminEmail))
      .orderBy(sql`${schema.users.emailVerifiedAt} desc nulls last`, asc(schema.users.createdAt));
    let userId: string;
    let workspaceId: string;
    if (existing) {
      // The database outlived admin.json: give the admin a fresh password rather than lock it out.
      await setPassword(db, existing.id, password);
      const [membership] = await db
        .select()
        .from(schema.memberships)
        .where(eq(schema.memberships.userId, existing.id));
      if (!membership)
        throw new Error(`${adminEmail} has no workspace; remove ${stateDir} and run make up again.`);
      userId = existing.id;
      workspaceId = membership.workspaceId;
    } else {
      const created = await signUp(db, { email: adminEmail, password });
      userId = created.user.id;
      workspaceId = created.workspace.id;
    }
    // The operator's own account: its address needs no mailed link (and a local set-up has no mail).
    await markEmailVerified(db, userId);
    // Full scope, no expiry: the token in .cove/env drives the platform's own scripts and tests.
    const { token } = await createApiToken(db, {
      workspaceId,
      userId,
      name: 'make up',
      scope: 'full',
      expiresInDays: null,
    });
    const record = { email: adminEmail, password, token };
    await writeFile(adminFile, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    return record;
  } finally {
    await close();
  }
}

async function api(token: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ensureSampleApp(token: string): Promise<void> {
  const existing = await api(token, 'GET', `/apps/${sampleName}`);
  if (existing.status === 404) {
    const created = await api(token, 'POST', '/apps', {
      name: sampleName,
      repoUrl: `http://127.0.0.1:${gitPort}/sample.git`,
      branch: 'main',
      mainFile: 'streamlit_app.py',
    });
    if (created.status !== 201) throw new Error(`Creating the sample app failed: ${await created.text()}`);
  } else if (!existing.ok) {
    throw new Error(`Reading the sample app failed: ${existing.status} ${await existing.text()}`);
  } else {
    const app = appView.parse(await existing.json());
    if (app.status === 'sleeping') {
      const wake = await api(token, 'POST', `/apps/${sampleName}/wake`);
      if (!wake.ok) throw new Error(`Waking the sample app failed: ${await wake.text()}`);
    }
  }
  // An app left broken by an earlier run (e.g. its image was removed from the engine, which the
  // builder may only find while this waits) is deployed afresh, once.
  let hasRedeployed = false;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const app = appView.parse(await (await api(token, 'GET', `/apps/${sampleName}`)).json());
    const isBuilding = ['queued', 'building', 'deploying'].includes(app.latestDeployment?.status ?? '');
    if (app.status === 'running' && !isBuilding) return;
    if ((app.status === 'failed' || app.status === 'crashed') && !isBuilding) {
      const reason = app.latestDeployment?.errorMessage ?? app.statusMessage;
      if (hasRedeployed) throw new Error(`The sample app did not start: ${reason}`);
      console.log(`the sample app is ${app.status} (${reason}); deploying it afresh`);
      const redeploy = await api(token, 'POST', `/apps/${sampleName}/deployments`);
      if (!redeploy.ok) throw new Error(`Redeploying the sample app failed: ${await redeploy.text()}`);
      hasRedeployed = true;
    }
    if (Date.now() > deadline) throw new Error(`The sample app is still ${app.status} after 5 minutes.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function checkServed(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // fetch() would replace the Host header, and Node does not resolve *.localhost: ask by hand.
    const status = await new Promise<number>((resolve, reject) => {
      const host = `${sampleName}.${config.COVE_APPS_DOMAIN}:${proxyPort}`;
      get({ host: '127.0.0.1', port: proxyPort, path: '/_stcore/health', headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
    if (status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(`The sample app does not answer through the proxy (${status}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Until the proxy serves the sample app over HTTPS with a certificate the local CA signed. */
async function checkServedOverHttps(): Promise<void> {
  const ca = await readFile(caFile, 'utf8');
  const host = `${sampleName}.${config.COVE_APPS_DOMAIN}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const outcome = await new Promise<string>((resolve) => {
      getSecure(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: '/_stcore/health',
          servername: host,
          headers: { host },
          ca,
        },
        (response) => {
          response.resume();
          resolve(String(response.statusCode ?? 0));
        },
      ).on('error', (error) => resolve(error.message));
    });
    if (outcome === '200') return;
    if (Date.now() > deadline) {
      throw new Error(`The sample app does not answer over HTTPS (${outcome}); see .cove/logs/builder.log.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const admin = await ensureAdmin();
await ensureSampleApp(admin.token);
await checkServed();
await checkServedOverHttps();

const appsUrlTemplate = appUrl(config, '{name}');
await writeFile(
  path.join(stateDir, 'env'),
  [
    `COVE_DASHBOARD_URL=${config.COVE_DASHBOARD_URL}`,
    `COVE_API_URL=${apiUrl}`,
    `COVE_APPS_URL=${appsUrlTemplate}`,
    `COVE_DASHBOARD_HTTPS_URL=${dashboardHttpsUrl}`,
    `COVE_APPS_HTTPS_URL=${appsHttpsUrlTemplate}`,
    `COVE_CA_FILE=${caFile}`,
    `COVE_API_TOKEN=${admin.token}`,
    `COVE_GIT_URL=http://127.0.0.1:${gitPort}`,
    '',
  ].join('\n'),
  { mode: 0o600 },
);
process.stdout.write(
  [
    '',
    'Cove is up.',
    `  Dashboard   ${config.COVE_DASHBOARD_URL}`,
    `  Sign in     ${admin.email} / ${admin.password}`,
    `  Sample app  ${appUrl(config, sampleName)}`,
    `  HTTPS       ${dashboardHttpsUrl} and ${appsHttpsUrlTemplate.replace('{name}', sampleName)} (trust ${caFile})`,
    `  API         ${apiUrl} (token in ${path.join(stateDir, 'env')})`,
    `  Git server  http://127.0.0.1:${gitPort}/ (the sample's repository: sample.git)`,
    'Stop everything with: make down',
    '',
  ].join('\n'),
);
