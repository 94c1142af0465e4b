// With the dashboard beside the apps (console.example.test, apps on *.apps.example.test), no app may
// be called after the dashboard's first label: console.apps.example.test would pass for it.
import { errorResponse } from '@cove/shared/contracts/api';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import {
  call,
  createTestApp,
  reconfigure,
  signUpWithToken,
  startDashboardContext,
  stopDashboardContext,
} from './harness';

let context: TestContext;
let token: string;

beforeAll(async () => {
  context = await startDashboardContext();
  ({ token } = await signUpWithToken());
  await reconfigure({
    COVE_DASHBOARD_URL: 'https://console.example.test',
    COVE_APPS_DOMAIN: 'apps.example.test',
  });
});
afterAll(async () => {
  await stopDashboardContext(context);
});

test("an app cannot take the dashboard's first label, by creation or by rename", async () => {
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name: 'console', repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(created.status).toBe(409);
  expect(errorResponse.parse(await created.json()).error.message).toBe(
    'The name console is taken; choose another.',
  );

  const { name } = await createTestApp(token, 'consoles');
  const renamed = await call(appRoute.PATCH, {
    method: 'PATCH',
    path: `/apps/${name}`,
    params: { name },
    token,
    body: { name: 'console' },
  });
  expect(renamed.status).toBe(409);
});
