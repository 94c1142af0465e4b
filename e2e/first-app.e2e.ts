// The first journey of a data scientist: sign up, deploy an app from a git repository, use it at its
// subdomain, push a change and see it redeployed, the old version serving until the new is healthy.
import { randomUUID } from 'node:crypto';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { signGitHubPayload } from '../services/shared/src/webhooks/github';
import { expect, step, test } from './fixtures';
import { createAppFromGit, openAppTab, signUpInDashboard } from './journeys';
import { platform } from './platform';

const appSource = (version: string) => `import streamlit as st

st.title("Journey app")
st.write("${version}")
name = st.text_input("Your name", "world")
if st.button("Greet"):
    st.write(f"Hello, {name}!")
`;

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('sign up, deploy, use the app, push a change and see it live', async ({ page, context }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `journey-${suffix}`;
  await git.createRepo(appName, { 'streamlit_app.py': appSource('Version one') });

  await step('sign up', async () => {
    await signUpInDashboard(page, `scientist-${suffix}@example.com`);
    // A first-run guide on the empty app list says how to start.
    await expect(page.getByTestId('first-run-guide')).toContainText('Deploy your first app');
    await expect(page.getByTestId('first-run-guide')).toContainText('Click New app');
  });

  const appPage = await context.newPage();
  await step('create the app and watch it build', async () => {
    await createAppFromGit(page, git.repoUrl(appName), appName);
    // Its address, opened at once, says it is on its way (never "there is no app called ..."),
    // and becomes the app by itself once it is live.
    await appPage.goto(platform.appUrl(appName));
    await expect(
      appPage.getByText(`${appName} is being deployed. This page turns into the app as soon as it is live.`),
    ).toBeVisible();
    await expect(page.getByTestId('build-log')).toContainText(/\S/, { timeout: 60_000 });
    await expect(page.getByTestId('app-status')).toHaveText(/running/i, { timeout: 240_000 });
    await expect(page.getByTestId('app-url')).toHaveAttribute('href', platform.appUrl(appName));
    // Tabs of several apps are told apart, and the way in is a button at the top.
    await expect(page).toHaveTitle(`${appName} · Cove`);
    await expect(page.getByRole('link', { name: 'Open app' })).toHaveAttribute(
      'href',
      platform.appUrl(appName),
    );
    await expect(appPage.getByText('Version one')).toBeVisible({ timeout: 60_000 });
  });

  await step('open the app at its subdomain and use it', async () => {
    await appPage.goto(platform.appUrl(appName));
    await expect(appPage.getByText('Version one')).toBeVisible({ timeout: 60_000 });
    await appPage.getByLabel('Your name').fill('Cove');
    await appPage.getByLabel('Your name').press('Enter');
    await appPage.getByRole('button', { name: 'Greet' }).click();
    await expect(appPage.getByText('Hello, Cove!')).toBeVisible();
  });

  await step('push a change; the old version serves until the new one is healthy', async () => {
    await openAppTab(page, 'Settings');
    await page.getByRole('button', { name: /show webhook/i }).click();
    const webhookUrl = await page.getByTestId('webhook-url').inputValue();
    const webhookSecret = await page.getByTestId('webhook-secret').inputValue();
    expect(webhookUrl).toContain(`/api/v1/webhooks/${appName}`);

    const sha = await git.commit(
      appName,
      { 'streamlit_app.py': appSource('Version two') },
      'Say version two',
    );
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: sha,
      deleted: false,
      repository: { full_name: `ada/${appName}`, clone_url: git.repoUrl(appName) },
      head_commit: {
        id: sha,
        message: 'Say version two',
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
      },
    });
    const delivered = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signGitHubPayload(webhookSecret, body),
      },
      body,
    });
    expect(delivered.status).toBe(202);

    // Until the new commit is live, every request through the proxy is answered by the old version.
    let servedCommit = '';
    const failures: number[] = [];
    const deadline = Date.now() + 300_000;
    while (servedCommit !== sha && Date.now() < deadline) {
      // Asked from the app's own tab: the browser resolves *.localhost, Node does not.
      const healthStatus = await appPage.evaluate(async () => (await fetch('/_stcore/health')).status);
      if (healthStatus !== 200) failures.push(healthStatus);
      // The app belongs to the signed-up user; the page's cookie session reads it.
      const app = await page.request.get(`${platform.apiUrl}/apps/${appName}`);
      servedCommit = (await app.json()).currentDeployment?.commit ?? '';
      if (servedCommit !== sha) await page.waitForTimeout(250);
    }
    expect(servedCommit).toBe(sha);
    expect(failures).toEqual([]);

    await appPage.reload();
    await expect(appPage.getByText('Version two')).toBeVisible({ timeout: 60_000 });

    // After a leak: a new secret replaces it, and a push signed with the old one is refused.
    await page.getByRole('button', { name: 'Replace secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replace secret' }).click();
    await expect(page.getByTestId('webhook-notice')).toContainText('the old one no longer works');
    await expect(page.getByTestId('webhook-secret')).not.toHaveValue(webhookSecret);
    const withOldSecret = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signGitHubPayload(webhookSecret, body),
      },
      body,
    });
    expect(withOldSecret.status).toBe(401);
  });

  await step('Redeploy: the notice follows it until the new version is live', async () => {
    await openAppTab(page, 'Overview');
    await page.getByRole('button', { name: 'Redeploy', exact: true }).click();
    const notice = page.getByTestId('app-notice');
    await expect(notice).toHaveText(/^Redeployed: [0-9a-f]{7} is live\.$/, { timeout: 240_000 });
  });

  await step('Reboot: the notice follows it until a fresh copy is live', async () => {
    await page.getByRole('button', { name: 'Reboot' }).click();
    await expect(page.getByTestId('app-notice')).toHaveText(`Rebooted: a fresh copy of ${appName} is live.`, {
      timeout: 120_000,
    });
    await expect(page.getByTestId('app-status')).toHaveText('running');
  });

  await step('Sleep now: the notice ends at asleep, and nothing says running beside it', async () => {
    // The app's own tab would reconnect its WebSocket and wake the app at once, before the page saw
    // it asleep: leave the app first.
    await appPage.goto('about:blank');
    await page.getByRole('button', { name: 'Sleep now' }).click();
    await expect(page.getByTestId('app-notice')).toHaveText(
      `${appName} is asleep; the next visit wakes it.`,
      {
        timeout: 60_000,
      },
    );
    await expect(page.getByTestId('app-status')).toHaveText('sleeping');
    await expect(page.getByTestId('latest-deployment')).toContainText('the live version');
    await expect(page.getByTestId('latest-deployment')).not.toContainText('running');
    await expect(page.getByRole('link', { name: 'Open app' })).toBeVisible();
    // Nothing runs to reboot; the next visit starts it afresh.
    await expect(page.getByRole('button', { name: 'Reboot' })).toBeDisabled();
  });

  await step('delete the app; its address says there is no such app', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirmation = page.getByRole('dialog');
    const confirm = confirmation.getByRole('button', { name: 'Delete this app' });
    await expect(confirm).toBeDisabled();
    await confirmation.getByLabel(`Type ${appName} to confirm`).fill(appName);
    await confirm.click();
    await expect(page.getByTestId('deleted-notice')).toHaveText(`${appName} was deleted.`);
    // The notice is said once: the address drops it, so a reload does not say it again.
    await expect(page).toHaveURL(/\/apps$/);
    await expect(page.getByRole('link', { name: appName })).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('deleted-notice')).toHaveCount(0);
    await appPage.goto(platform.appUrl(appName));
    await expect(appPage.getByText(`There is no app called ${appName} here.`)).toBeVisible();
  });
});
