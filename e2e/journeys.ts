// Steps several journeys share: a person signs up in the dashboard, and creates an app from a
// repository on the journey's own git server.
import { expect, type Page } from '@playwright/test';
import type { GitServer } from '../services/shared/src/testing/git-server';
import { platform } from './platform';

export const journeyPassword = 'a long enough password';

/** Fills and submits the sign-up form, once the page is the sign-up page. */
export async function submitSignUp(page: Page, email: string): Promise<void> {
  // After a link to the sign-up page, the previous page (with its own Email field) stays on screen
  // until the new one arrives: wait for it before typing.
  await expect(page).toHaveURL(/\/signup/);
  // (A private app's sign-up names the app: "Create an account to open <app>".)
  await expect(
    page.getByRole('heading', { name: /^Create (your Cove account|an account to open )/ }),
  ).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(journeyPassword);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** A new account from the dashboard's sign-up page, landing on its (empty) app list. */
export async function signUpInDashboard(page: Page, email: string): Promise<void> {
  await page.goto(`${platform.dashboardUrl}/signup`);
  await submitSignUp(page, email);
  await expect(page).toHaveURL(/\/apps$/);
}

/** From the app list, the new-app form filled in for `repoUrl`; lands on the app's page. */
export async function createAppFromGit(page: Page, repoUrl: string, appName: string): Promise<void> {
  await page.getByRole('link', { name: /new app/i }).click();
  await page.getByLabel(/repository url/i).fill(repoUrl);
  await page.getByLabel(/branch/i).fill('main');
  await page.getByLabel(/main file/i).fill('streamlit_app.py');
  await page.getByLabel(/name/i).fill(appName);
  await page.getByRole('button', { name: /deploy|create/i }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
}

/** Headers a cookie session's API calls need from outside a page: the dashboard's own origin. */
export const sameOrigin = { origin: platform.dashboardUrl };

/**
 * An app created through the API with the page's session, for journeys about the dashboard itself:
 * its repository passes the check at creation (both streamlit_app.py and app.py are there), but its
 * requirements.txt cannot be read, so every build fails.
 */
export async function createUnbuildableApp(page: Page, git: GitServer, appName: string): Promise<void> {
  const script = 'import streamlit as st\n\nst.write("never built")\n';
  await git.createRepo(appName, {
    'streamlit_app.py': script,
    'app.py': script,
    'requirements.txt': 'this is (not a requirement\n',
  });
  const created = await page.request.post(`${platform.apiUrl}/apps`, {
    headers: sameOrigin,
    data: { name: appName, repoUrl: git.repoUrl(appName) },
  });
  expect(created.status(), await created.text()).toBe(201);
}

/** Deletes an app with the page's session (journeys clean up after themselves). */
export async function deleteAppThroughApi(page: Page, appName: string): Promise<void> {
  const deleted = await page.request.delete(`${platform.apiUrl}/apps/${appName}`, { headers: sameOrigin });
  expect(deleted.ok(), await deleted.text()).toBe(true);
}

/** On an app's page, opens one of its tabs (Overview, Logs, Deployments, Settings, Sharing, Secrets). */
export async function openAppTab(page: Page, label: string): Promise<void> {
  const tab = page.getByRole('tab', { name: label, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}
