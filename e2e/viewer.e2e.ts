// A viewer of a workspace opens an app's page and finds nothing to click that would be refused:
// no New app, no Reboot, Sleep, Redeploy or Delete, no settings, access or secrets to save, no
// webhook. The only owner is not offered to leave or to step down. (The API refuses all of these
// anyway; role-matrix.test.ts proves that. This proves the pages do not offer them.)
import { randomUUID } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import {
  createUnbuildableApp,
  deleteAppThroughApi,
  journeyPassword,
  sameOrigin,
  signUpInDashboard,
} from './journeys';
import { platform } from './platform';

/** The app page once its panels have loaded what they show (they fetch after the first paint). */
async function openAppPage(page: Page, appName: string): Promise<void> {
  await page.goto(`${platform.dashboardUrl}/apps/${appName}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(appName);
  await expect(page.getByTestId('secrets').getByText('No secrets yet.')).toBeVisible();
  await expect(page.getByTestId('access-verification-note')).toBeVisible();
}

test('a viewer sees no control they may not use, and the only owner cannot leave', async ({ browser }) => {
  const suffix = randomUUID().slice(0, 8);
  const ownerEmail = `viewer-owner-${suffix}@example.com`;
  const viewerEmail = `viewer-${suffix}@example.com`;
  const appName = `viewed-${suffix}`;
  const ownerContext = await browser.newContext();
  const viewerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const viewer = await viewerContext.newPage();

  await test.step('the owner makes an app and sees its controls', async () => {
    await signUpInDashboard(owner, ownerEmail);
    await createUnbuildableApp(owner, appName);
    await openAppPage(owner, appName);
    await expect(owner).toHaveTitle(`${appName} · Cove`);
    for (const name of ['Redeploy', 'Delete', 'Save settings', 'Save access list', 'Add secrets'])
      await expect(owner.getByRole('button', { name, exact: true })).toBeVisible();
    await expect(owner.getByRole('heading', { name: 'Webhook' })).toBeVisible();
  });

  await test.step('the owner invites a viewer, who joins', async () => {
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

  await test.step("the viewer's app page has no button at all, and says why", async () => {
    await openAppPage(viewer, appName);
    await expect(viewer).toHaveTitle(`${appName} · Cove`);
    await expect(viewer.getByTestId('viewer-note')).toContainText('ask an owner for the developer role');
    // Everything a viewer may do here is reading and following links.
    await expect(viewer.getByRole('main').getByRole('button')).toHaveCount(0);
    await expect(viewer.getByRole('heading', { name: 'Webhook' })).toHaveCount(0);
    // The settings and the access choice are shown, and cannot be changed.
    await expect(viewer.getByLabel('Branch')).toBeDisabled();
    await expect(viewer.getByRole('radio', { name: /Private:/ })).toBeDisabled();
    await expect(viewer.getByLabel(/Access list/)).not.toBeEditable();
  });

  await test.step('the only owner is offered neither to leave nor to step down', async () => {
    await owner.goto(`${platform.dashboardUrl}/workspace`);
    await expect(owner.getByRole('combobox', { name: `Role of ${viewerEmail}` })).toBeVisible();
    await expect(owner.getByRole('combobox', { name: `Role of ${ownerEmail}` })).toHaveCount(0);
    await expect(owner.getByRole('button', { name: 'Leave workspace' })).toHaveCount(0);
    await expect(owner.getByTestId('only-owner-note')).toContainText('You are the only owner');
  });

  await test.step('with a second owner, the first may leave or step down again', async () => {
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

  await test.step('clean up', async () => {
    await deleteAppThroughApi(owner, appName);
  });
  await ownerContext.close();
  await viewerContext.close();
});
