// A private app: its owner marks it private and still opens it (the sign-in carries over to the
// app's subdomain by itself, and the app's st.user.email names them); someone outside the workspace
// signs in and is told they have no access; signing out of the dashboard closes the app again.
import { randomUUID } from 'node:crypto';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createAppFromGit, journeyPassword, openAppTab, signUpInDashboard, submitSignUp } from './journeys';
import { platform } from './platform';

const appSource = `import streamlit as st

st.title("Private journey")
st.write("Only for the team")
st.text(f"Viewer: {st.user.email}")
`;

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('mark an app private, open it, be refused as an outsider, and sign out', async ({ browser }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `private-${suffix}`;
  const appUrl = platform.appUrl(appName);
  await git.createRepo(appName, { 'streamlit_app.py': appSource });
  const owner = await browser.newContext();
  const page = await owner.newPage();

  await step('sign up and deploy an app', async () => {
    await signUpInDashboard(page, `owner-${suffix}@example.com`);
    await createAppFromGit(page, git.repoUrl(appName), appName);
    await expect(page.getByTestId('app-status')).toHaveText(/running/i, { timeout: 240_000 });
  });

  await step('mark it private in its settings', async () => {
    await openAppTab(page, 'Sharing');
    await page.getByRole('radio', { name: /Private:/ }).click();
    await expect(page.getByTestId('access-notice')).toContainText('now private');
    await expect(page.getByTestId('app-visibility')).toHaveText('Private');
  });

  const appPage = await owner.newPage();
  await step('the owner opens its subdomain: the sign-in carries over by itself', async () => {
    await appPage.goto(`${appUrl}?from=journey`);
    await expect(appPage.getByText('Only for the team')).toBeVisible({ timeout: 60_000 });
    // The proxy tells the app who signed in (X-Cove-User-Email, Streamlit's trusted user header).
    await expect(appPage.getByText(`Viewer: owner-${suffix}@example.com`)).toBeVisible();
    // Back on the app's own host, at the address asked for, with no token left in it.
    expect(new URL(appPage.url()).host).toBe(new URL(appUrl).host);
    expect(new URL(appPage.url()).search).toBe('?from=journey');
  });

  await step('someone outside the workspace signs up and is told they have no access', async () => {
    const outsider = await browser.newContext();
    const outsiderPage = await outsider.newPage();
    await outsiderPage.goto(appUrl);
    await expect(outsiderPage).toHaveURL(/\/login\?next=/);
    await outsiderPage.getByRole('link', { name: 'Create an account' }).click();
    await expect(
      outsiderPage.getByRole('heading', { name: `Create an account to open ${appName}` }),
    ).toBeVisible();
    await submitSignUp(outsiderPage, `outsider-${suffix}@example.com`);
    await expect(
      outsiderPage.getByRole('heading', { name: `You do not have access to ${appName}` }),
    ).toBeVisible();
    await expect(outsiderPage.getByTestId('signed-in-email')).toHaveText(`outsider-${suffix}@example.com`);
    await expect(outsiderPage.getByRole('button', { name: 'Sign in as someone else' })).toBeVisible();
    await outsider.close();
  });

  await step('signing out of the dashboard closes the app again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    // The open tab's connection ends; Streamlit's reconnect dialog says why and what to do.
    await expect(appPage.getByText('Reload this page to sign in again', { exact: false })).toBeVisible({
      timeout: 30_000,
    });
    await appPage.reload();
    await expect(appPage).toHaveURL(/\/login\?next=/);
    await expect(appPage.getByRole('heading', { name: `Sign in to open ${appName}` })).toBeVisible();
    await expect(appPage).toHaveTitle(`Sign in to open ${appName} · Cove`);
  });

  await step('clean up: sign in again and delete the app', async () => {
    const headers = { origin: platform.dashboardUrl };
    const signedIn = await page.request.post(`${platform.apiUrl}/auth/login`, {
      headers,
      data: { email: `owner-${suffix}@example.com`, password: journeyPassword },
    });
    expect(signedIn.ok()).toBe(true);
    const deleted = await page.request.delete(`${platform.apiUrl}/apps/${appName}`, { headers });
    expect(deleted.ok()).toBe(true);
  });
  await owner.close();
});
