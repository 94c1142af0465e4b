// A visitor opens an app that sleeps, at each depth (frozen: paused with its memory kept; stopped:
// no memory), and the page they opened turns into the app by itself: no reload, no button.
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { type SleepDepth, sleepMessages } from '../services/shared/src/sleep/wake-state';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, test } from './fixtures';
import { platform } from './platform';

const appText = 'Good morning from a napping app';
const appSource = `import streamlit as st

st.title("Napper")
st.write("${appText}")
`;

interface AppState {
  status: string;
  statusMessage: string | null;
}

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${platform.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${platform.apiToken}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function appState(name: string): Promise<AppState> {
  const response = await api(`/apps/${name}`);
  expect(response.status).toBe(200);
  return (await response.json()) as AppState;
}

async function putToSleep(name: string, depth: SleepDepth): Promise<void> {
  const response = await api(`/apps/${name}/sleep`, {
    method: 'POST',
    body: { depth: depth === 'frozen' ? 'freeze' : 'stop' },
  });
  expect(response.status, await response.clone().text()).toBe(202);
  await expect
    .poll(async () => appState(name), { timeout: 60_000 })
    .toMatchObject({ status: 'sleeping', statusMessage: sleepMessages[depth] });
}

async function expectTheApp(page: Page): Promise<void> {
  await expect(page.getByText(appText)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: /is waking up/ })).toHaveCount(0);
}

let git: GitServer;
let appName: string;

test.beforeAll(async () => {
  git = await startGitServer();
  appName = `napper-${randomUUID().slice(0, 8)}`;
  await git.createRepo(appName, { 'streamlit_app.py': appSource });
  const created = await api('/apps', {
    method: 'POST',
    body: { name: appName, repoUrl: git.repoUrl(appName), branch: 'main', mainFile: 'streamlit_app.py' },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  await expect
    .poll(async () => (await appState(appName)).status, { timeout: 300_000, intervals: [1000] })
    .toBe('running');
});

test.afterAll(async () => {
  if (appName) await api(`/apps/${appName}`, { method: 'DELETE' });
  await git?.close();
});

test('a stopped app shows the waking page, which turns into the app by itself', async ({ page }) => {
  await putToSleep(appName, 'stopped');
  await page.goto(platform.appUrl(appName));
  await expect(page.getByRole('heading', { name: `${appName} is waking up` })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Waking up');
  await expectTheApp(page);
  expect((await appState(appName)).status).toBe('running');
});

test('a frozen app opens as the app, through the waking page if it shows at all', async ({ page }) => {
  await putToSleep(appName, 'frozen');
  await page.goto(platform.appUrl(appName));
  await expectTheApp(page);
  expect((await appState(appName)).status).toBe('running');
});
