// Steps several journeys share: a person signs up in the dashboard, and creates an app from a
// repository on the journey's own git server.
import { expect, type Page } from '@playwright/test';
import { platform } from './platform';

export const journeyPassword = 'a long enough password';

/** Fills and submits the sign-up form, once the page is the sign-up page. */
export async function submitSignUp(page: Page, email: string): Promise<void> {
  // After a link to the sign-up page, the previous page (with its own Email field) stays on screen
  // until the new one arrives: wait for it before typing.
  await expect(page).toHaveURL(/\/signup/);
  await expect(page.getByRole('heading', { name: 'Create your Cove account' })).toBeVisible();
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
