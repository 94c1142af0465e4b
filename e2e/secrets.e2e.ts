// Secrets as a team uses them: a broken TOML is refused with its line and nothing is saved; a valid
// one lists its keys with the values hidden (not even in the page's HTML) until someone reveals
// them; the running app reads the value from st.secrets and from the environment, without a rebuild.
import { randomUUID } from 'node:crypto';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createAppFromGit, openAppTab, signUpInDashboard } from './journeys';
import { platform } from './platform';

// No requirements: the image reuses the runtime's cached layers, so the build is short.
const appSource = `import os
import streamlit as st

try:
    from_secrets = st.secrets["GREETING"]
except Exception:
    from_secrets = "none"
st.write(f"From st.secrets: {from_secrets}")
st.write(f"From the environment: {os.environ.get('GREETING', 'none')}")
`;

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('invalid TOML is refused with its line; saved secrets stay hidden until revealed and reach the app', async ({
  page,
  context,
}) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `secrets-${suffix}`;
  const value = `hello-${randomUUID()}`;
  const toml = `GREETING = "${value}"\n\n[database]\npassword = "${value}-db"\n`;
  await git.createRepo(appName, { 'streamlit_app.py': appSource });

  await step('sign up and deploy the app', async () => {
    await signUpInDashboard(page, `secrets-${suffix}@example.com`);
    await createAppFromGit(page, git.repoUrl(appName), appName);
    await expect(page.getByTestId('app-status')).toHaveText(/running/i, { timeout: 240_000 });
  });

  const secrets = page.getByTestId('secrets');
  await openAppTab(page, 'Secrets');
  await step('an invalid TOML names its line and reason, and nothing is saved', async () => {
    await secrets.getByRole('button', { name: 'Add secrets' }).click();
    await secrets.getByLabel('Secrets (TOML)').fill(`FIRST = "ok"\nGREETING = "${value}\n`);
    await secrets.getByRole('button', { name: 'Save secrets' }).click();
    const notice = secrets.getByTestId('secrets-notice');
    await expect(notice).toContainText(
      /line 2, column \d+: the text in quotes is not closed; add a " at its end\. Nothing was saved\./,
    );
    await expect(notice).not.toContainText(value);
    await expect(secrets.getByText('No secrets yet.')).toBeVisible();
  });

  await step('a valid TOML lists its keys; the values are hidden, even from the HTML', async () => {
    await secrets.getByLabel('Secrets (TOML)').fill(toml);
    await secrets.getByRole('button', { name: 'Save secrets' }).click();
    await expect(secrets.getByTestId('secrets-notice')).toContainText('Saved 2 secrets');
    await expect(secrets.getByTestId('secret-keys')).toContainText('GREETING');
    await expect(secrets.getByTestId('secret-keys')).toContainText('database');
    await page.reload();
    await expect(secrets.getByTestId('secret-keys')).toContainText('GREETING');
    expect(await page.content()).not.toContain(value);
    const served = await page.request.get(`${platform.dashboardUrl}/apps/${appName}`);
    expect(await served.text()).not.toContain(value);
  });

  await step('Reveal shows the values, and editing starts from them', async () => {
    await secrets.getByRole('button', { name: 'Reveal' }).click();
    await expect(secrets.getByTestId('revealed-secrets')).toContainText(`GREETING = "${value}"`);
    await expect(secrets.getByTestId('revealed-secrets')).toContainText(`password = "${value}-db"`);
    await secrets.getByRole('button', { name: 'Edit secrets' }).click();
    await expect(secrets.getByLabel('Secrets (TOML)')).toHaveValue(toml);
    await secrets.getByRole('button', { name: 'Cancel' }).click();
    await secrets.getByRole('button', { name: 'Hide values' }).click();
    await expect(secrets.getByTestId('revealed-secrets')).toHaveCount(0);
    await expect(secrets).not.toContainText(value);
  });

  await step(
    'the running app reads the value from st.secrets and the environment, without a rebuild',
    async () => {
      const appPage = await context.newPage();
      // The app restarts with the secrets (health-checked); until then the previous container serves.
      await expect(async () => {
        await appPage.goto(platform.appUrl(appName));
        await expect(appPage.getByText(`From st.secrets: ${value}`)).toBeVisible({ timeout: 10_000 });
      }).toPass({ timeout: 120_000 });
      await expect(appPage.getByText(`From the environment: ${value}`)).toBeVisible();
      const listed = await page.request.get(`${platform.apiUrl}/apps/${appName}/deployments`);
      expect((await listed.json()).deployments).toHaveLength(1);
      await appPage.close();
    },
  );

  await step('clean up: delete the app', async () => {
    const deleted = await page.request.delete(`${platform.apiUrl}/apps/${appName}`, {
      headers: { origin: platform.dashboardUrl },
    });
    expect(deleted.ok()).toBe(true);
  });
});
