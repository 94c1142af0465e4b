// A viewer of a workspace opens an app's page and finds nothing to click that would be refused:
// no New app, no Reboot, Sleep, Redeploy or Delete, no settings, access or secrets to save, no
// webhook. The only owner is not offered to leave or to step down. (The API refuses all of these
// anyway; role-matrix.test.ts proves that. This proves the pages do not offer them.)
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import {
  createUnbuildableApp,
  deleteAppThroughApi,
  journeyPassword,
  openAppTab,
  sameOrigin,
  signUpInDashboard,
} from './journeys';
import { platform } from './platform';

/** The app page's tabs, each once its panel has loaded what it shows (they fetch after the first paint). */
const appTabs: readonly { label: string; loaded: (page: Page) => ReturnType<Page['getByText']> }[] = [
  { label: 'Overview', loaded: (page) => page.getByTestId('latest-deployment') },
  { label: 'Logs', loaded: (page) => page.getByTestId('runtime-log') },
  { label: 'Deployments', loaded: (page) => page.getByRole('heading', { name: 'Deployments' }) },
  { label: 'Settings', loaded: (page) => page.getByLabel('Branch') },
  { label: 'Sharing', loaded: (page) => page.getByTestId('access-verification-note') },
  { label: 'Secrets', loaded: (page) => page.getByTestId('secrets').getByText('No secrets yet.') },
];

async function openAppPage(page: Page, appName: string): Promise<void> {
  await page.goto(`${platform.dashboardUrl}/apps/${appName}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(appName);
}

/** Visits every tab of the app page, calling `check` on each once it has loaded. */
async function everyTab(page: Page, check: (label: string) => Promise<void>): Promise<void> {
  for (const tab of appTabs) {
    await openAppTab(page, tab.label);
    await expect(tab.loaded(page)).toBeVisible();
    await check(tab.label);
  }
}

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('a viewer sees no control they may not use, and the only owner cannot leave', async ({ browser }) => {
  const suffix = randomUUID().slice(0, 8);
  const ownerEmail = `viewer-owner-${suffix}@example.com`;
  const viewerEmail = `viewer-${suffix}@example.com`;
  const appName = `viewed-${suffix}`;
  const ownerContext = await browser.newContext();
  const viewerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const viewer = await viewerContext.newPage();

  await step('the owner makes an app and sees its controls', async () => {
    await signUpInDashboard(owner, ownerEmail);
    await createUnbuildableApp(owner, git, appName);
    await openAppPage(owner, appName);
    await expect(owner).toHaveTitle(`${appName} · Cove`);
    const controls: Record<string, string[]> = {
      Overview: ['Redeploy', 'Delete'],
      Settings: ['Save settings', 'Show webhook'],
      Sharing: ['Save access list'],
      Secrets: ['Add secrets'],
    };
    await everyTab(owner, async (label) => {
      for (const name of controls[label] ?? [])
        await expect(owner.getByRole('button', { name, exact: true })).toBeVisible();
    });
  });

  await step('the owner invites a viewer, who joins', async () => {
    const invited = await owner.request.post(`${platform.apiUrl}/workspace/invitations`, {
      headers: sameOrigin,
      data: { email: viewerEmail, role: 'viewer' },
    });
    expect(invited.status(), await invited.text()).toBe(201);
    const { link } = await invited.json();
    await viewer.goto(link);
    await viewer.getByLabel('Password').fill(journeyPassword);
    await viewer.getByRole('button', { name: 'Create account and join' }).click();
    await expect(viewer).toHaveURL(/\/apps$/);
    await expect(viewer.getByRole('link', { name: appName, exact: true })).toBeVisible();
    await expect(viewer.getByRole('link', { name: 'New app' })).toHaveCount(0);
  });

  await step("the viewer's app page has no button at all, and says why", async () => {
    await openAppPage(viewer, appName);
    await expect(viewer).toHaveTitle(`${appName} · Cove`);
    await expect(viewer.getByTestId('viewer-note')).toContainText('ask an owner for the developer role');
    // Everything a viewer may do here is reading, following links and moving between tabs.
    await everyTab(viewer, async () => {
      await expect(viewer.getByRole('main').getByRole('button')).toHaveCount(0);
    });
    // The settings and the access choice are shown, and cannot be changed.
    await openAppTab(viewer, 'Settings');
    await expect(viewer.getByRole('heading', { name: 'Webhook' })).toHaveCount(0);
    await expect(viewer.getByLabel('Branch')).toBeDisabled();
    await openAppTab(viewer, 'Sharing');
    await expect(viewer.getByRole('radio', { name: /Private:/ })).toBeDisabled();
    await expect(viewer.getByLabel(/Access list/)).not.toBeEditable();
  });

  await step('the only owner is offered neither to leave nor to step down', async () => {
    await owner.goto(`${platform.dashboardUrl}/workspace`);
    await expect(owner.getByRole('combobox', { name: `Role of ${viewerEmail}` })).toBeVisible();
    await expect(owner.getByRole('combobox', { name: `Role of ${ownerEmail}` })).toHaveCount(0);
    await expect(owner.getByRole('button', { name: 'Leave workspace' })).toHaveCount(0);
    await expect(owner.getByTestId('only-owner-note')).toContainText('You are the only owner');
  });

  await step('with a second owner, the first may leave or step down again', async () => {
    await owner.getByRole('combobox', { name: `Role of ${viewerEmail}` }).selectOption('owner');
    await expect(owner.getByRole('status')).toHaveText(`${viewerEmail} is now owner.`);
    await expect(owner.getByRole('button', { name: 'Leave workspace' })).toBeVisible();
    await expect(owner.getByRole('combobox', { name: `Role of ${ownerEmail}` })).toBeVisible();
    // Leaving is asked about in the page's own dialog, not the browser's confirm().
    await owner.getByRole('button', { name: 'Leave workspace' }).click();
    const question = owner.getByRole('dialog', { name: 'Leave this workspace?' });
    await expect(question).toBeVisible();
    await question.getByRole('button', { name: 'Cancel' }).click();
    await expect(question).toBeHidden();
    await expect(owner).toHaveURL(/\/workspace$/);
  });

  await step('clean up', async () => {
    await deleteAppThroughApi(owner, appName);
  });
  await ownerContext.close();
  await viewerContext.close();
});
