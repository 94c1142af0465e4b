// Python is chosen from the versions the platform offers (bookworm's 3.11, the default, and
// trixie's 3.13 from a second runtime image), not typed; the idle times show the platform's numbers.
// An app moved to 3.13 in its settings is rebuilt on the 3.13 image and says so itself. After a
// rollback, a save that needs a build asks whether to rebuild the live version or the branch head.
import { randomUUID } from 'node:crypto';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createAppFromGit, openAppTab, signUpInDashboard } from './journeys';
import { platform } from './platform';

const appSource = `import sys

import streamlit as st

st.write(f"Running on Python {sys.version.split()[0]}")
`;

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('an app moves from the default Python to 3.13, chosen from a list', async ({ page, context }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `python-${suffix}`;
  await git.createRepo(appName, { 'streamlit_app.py': appSource });
  const appPage = await context.newPage();

  await step('deploy it on the default Python', async () => {
    await signUpInDashboard(page, `python-${suffix}@example.com`);
    await createAppFromGit(page, git.repoUrl(appName), appName);
    await expect(page.getByTestId('app-status')).toHaveText('running', { timeout: 240_000 });
    await appPage.goto(platform.appUrl(appName));
    await expect(appPage.getByText(/^Running on Python 3\.11\.\d+$/)).toBeVisible({ timeout: 60_000 });
  });

  await step('the settings list the versions on offer and show the idle defaults', async () => {
    await openAppTab(page, 'Settings');
    const python = page.getByLabel('Python version');
    await expect(python.locator('option')).toHaveText([
      'Platform default (3.11)',
      'Python 3.11',
      'Python 3.13',
    ]);
    await expect(page.getByLabel('Freeze after idle (seconds)')).toHaveAttribute(
      'placeholder',
      'platform default: 600 s (10 min)',
    );
    await expect(page.getByLabel('Stop after idle (seconds)')).toHaveAttribute(
      'placeholder',
      'platform default: 3600 s (1 h)',
    );
  });

  await step('choose 3.13: it is rebuilt on that Python', async () => {
    await page.getByLabel('Python version').selectOption('3.13');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByTestId('settings-build')).toContainText('Built with the new settings', {
      timeout: 300_000,
    });
    await expect(page.getByTestId('settings-build-log')).toContainText('Using Python 3.13');
    await appPage.reload();
    await expect(appPage.getByText(/^Running on Python 3\.13\.\d+$/)).toBeVisible({ timeout: 60_000 });
  });

  await step('after a rollback, a save that needs a build asks which version to build', async () => {
    await openAppTab(page, 'Deployments');
    await page.getByRole('button', { name: /^Make .+ live$/ }).click();
    await expect(async () => {
      await appPage.reload();
      await expect(appPage.getByText(/^Running on Python 3\.11\.\d+$/)).toBeVisible({ timeout: 2000 });
    }).toPass({ timeout: 120_000 });
    await openAppTab(page, 'Settings');
    // The saved 3.13 is not what runs now, and the page says so.
    await expect(page.getByTestId('settings-python-not-applied')).toHaveText(
      'Python 3.13 is saved, but the live version runs Python 3.11: an earlier version was made live. Save or redeploy to build with Python 3.13.',
    );
    await page.getByLabel('Python version').selectOption('');
    const choice = page.getByTestId('settings-build-from');
    await expect(
      choice.getByRole('radio', { name: /^The live version \([0-9a-f]{7}, made live by a rollback\)$/ }),
    ).toBeChecked();
    await expect(choice.getByRole('radio', { name: 'The head of main' })).not.toBeChecked();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByTestId('settings-notice')).toContainText(
      /This builds [0-9a-f]{7}, the live version, with the new settings\./,
    );
    await expect(page.getByTestId('settings-build')).toContainText('Built with the new settings', {
      timeout: 300_000,
    });
  });

  await step('delete it', async () => {
    await appPage.goto('about:blank');
    const deleted = await page.request.delete(`${platform.apiUrl}/apps/${appName}`, {
      headers: { origin: platform.dashboardUrl },
    });
    expect(deleted.ok()).toBe(true);
  });
});
