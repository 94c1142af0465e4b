// A refused setting is said once, beside its field, in the API's plain words: never again in a
// banner, and never with the API's internal field name ("pythonVersion: ..."). A saved setting that
// needs a build says so truly and follows that build to its end, here a failure (the repository
// does not exist).
import { randomUUID } from 'node:crypto';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createUnbuildableApp, openAppTab, signUpInDashboard } from './journeys';
import { platform } from './platform';

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('a refused setting is shown once, beside its field, without internal names', async ({ page }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `errors-${suffix}`;
  await signUpInDashboard(page, `errors-${suffix}@example.com`);

  await step('a wrong repository is caught on the new-app form, beside the field to fix', async () => {
    await git.createRepo(`checked-${suffix}`, { 'app.py': 'import streamlit as st\n' });
    await page.goto(`${platform.dashboardUrl}/apps/new`);
    await page.getByLabel('Repository URL').fill(git.repoUrl(`missing-${suffix}`));
    await page.getByLabel('App name').fill(`checked-${suffix}`);
    await page.getByRole('button', { name: /deploy|create/i }).click();
    await expect(page.locator('#repoUrl-error')).toContainText(
      `Cove could not read a git repository at ${git.repoUrl(`missing-${suffix}`)}`,
    );
    await page.getByLabel('Repository URL').fill(git.repoUrl(`checked-${suffix}`));
    await page.getByRole('button', { name: /deploy|create/i }).click();
    await expect(page.locator('#mainFile-error')).toContainText(
      'The main file `streamlit_app.py` is not in the branch `main`',
    );
    await expect(page.locator('#mainFile-error')).toContainText('Python files at the top level: `app.py`.');
    await expect(page).toHaveURL(/\/apps\/new$/);
  });

  await createUnbuildableApp(page, git, appName);
  await page.goto(`${platform.dashboardUrl}/apps/${appName}`);
  const settings = page.getByTestId('settings');
  await openAppTab(page, 'Settings');

  await step('fewer CPUs than an app needs', async () => {
    // (Python is a drop-down of the versions on offer: python-versions.e2e.ts.)
    await settings.getByLabel('CPUs').fill('0.01');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const message = 'Give the app at least 0.1 CPU.';
    await expect(settings.locator('#settings-cpus-error')).toHaveText(message);
    await expect(settings.getByLabel('CPUs')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(message)).toHaveCount(1);
    await expect(page.getByText('cpus:')).toHaveCount(0);
    await expect(page.getByTestId('settings-notice')).toHaveCount(0);
  });

  await step('more memory than the installation allows', async () => {
    await settings.getByLabel('CPUs').fill('1');
    await settings.getByLabel('Memory (MB)').fill('1000000');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const error = settings.locator('#settings-memory-error');
    await expect(error).toHaveText(/at most \d+ MB/);
    await expect(page.getByText((await error.textContent()) ?? '', { exact: true })).toHaveCount(1);
    await expect(page.getByText('memoryMb')).toHaveCount(0);
  });

  await step('the access list names the entry that is not an email', async () => {
    await openAppTab(page, 'Sharing');
    await page.getByLabel(/Access list/).fill('ada@example.com\nnot-an-email');
    await page.getByRole('button', { name: 'Save access list' }).click();
    await expect(page.getByTestId('access-notice')).toHaveText(
      '"not-an-email" is not an email address. Enter one email address per line; nothing was saved.',
    );
  });

  await step('the repository URL is checked in the settings too', async () => {
    await openAppTab(page, 'Settings');
    await settings.getByLabel('Memory (MB)').fill('512');
    await settings.getByLabel('Repository URL').fill(git.repoUrl(`checked-${suffix}`));
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings.locator('#settings-main-file-error')).toContainText(
      'The main file `streamlit_app.py` is not in the branch `main`',
    );
    await settings.getByLabel('Repository URL').fill(git.repoUrl(appName));
  });

  await step('a setting that needs a build follows it to its end', async () => {
    await settings.getByLabel('Memory (MB)').fill('512');
    await settings.getByLabel('Main file').fill('app.py');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    // Nothing ever went live, so no "current version serves until..." promise.
    await expect(page.getByTestId('settings-notice')).toContainText(
      'These changes need a new build: a deployment is queued.',
    );
    await expect(page.getByTestId('settings-notice')).not.toContainText('current version');
    await expect(page.getByTestId('settings-build')).toHaveText(
      'The build with the new settings failed. See the build log below for why.',
      { timeout: 120_000 },
    );
    // Its log is beside the button that started it.
    await expect(page.getByTestId('settings-build-log')).toContainText(/\S/);
  });

  await step('tabs: the keyboard moves between them, the address keeps the one open', async () => {
    await expect(page).toHaveURL(/\?tab=settings$/);
    await page.reload();
    await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
    await expect(settings.getByLabel('Main file')).toHaveValue('app.py');
    await page.getByRole('tab', { name: 'Settings' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Sharing' })).toBeFocused();
    await expect(page.getByRole('tab', { name: 'Sharing' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tabpanel')).toHaveAccessibleName('Sharing');
    await page.keyboard.press('Home');
    await expect(page.getByRole('tab', { name: 'Overview' })).toHaveAttribute('aria-selected', 'true');
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    // The build is over: its log is folded away, its end in the summary line, a click away.
    const buildLog = page.getByTestId('build-log-details');
    await expect(buildLog).toContainText('finished: failed');
    await expect(buildLog).not.toHaveAttribute('open', /.*/);
    await buildLog.locator('summary').click();
    await expect(page.getByTestId('build-log')).toBeVisible();
  });

  await step("the app's own address tells its visitors why it does not run", async () => {
    const visitor = await page.context().newPage();
    const reason =
      'is not running: Line 1 of requirements.txt (`this is (not a requirement`) could not be installed.';
    // The route carries the reason from the reconciler's next pass (seconds).
    await expect(async () => {
      await visitor.goto(platform.appUrl(appName));
      await expect(visitor.getByText(`${appName} ${reason}`)).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 60_000 });
    await expect(visitor.getByText('If you came to use it, let its developers know.')).toBeVisible();
    await visitor.close();
  });

  await step('delete it, confirming with Enter in the name field', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByLabel(`Type ${appName} to confirm`).fill(appName);
    await page.getByRole('dialog').getByLabel(`Type ${appName} to confirm`).press('Enter');
    await expect(page.getByTestId('deleted-notice')).toHaveText(`${appName} was deleted.`);
  });
});
