// A refused setting is said once, beside its field, in the API's plain words: never again in a
// banner, and never with the API's internal field name ("pythonVersion: ..."). A saved setting that
// needs a build says so truly and follows that build to its end, here a failure (the repository
// does not exist).
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createUnbuildableApp, signUpInDashboard } from './journeys';
import { platform } from './platform';

test('a refused setting is shown once, beside its field, without internal names', async ({ page }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `errors-${suffix}`;
  await signUpInDashboard(page, `errors-${suffix}@example.com`);
  await createUnbuildableApp(page, appName);
  await page.goto(`${platform.dashboardUrl}/apps/${appName}`);
  const settings = page.getByTestId('settings');

  await test.step('a Python version that is not one', async () => {
    await settings.getByLabel('Python version').fill('python three');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const message = 'Give a Python version as major.minor, for example 3.11.';
    await expect(settings.locator('#settings-python-error')).toHaveText(message);
    await expect(settings.getByLabel('Python version')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(message)).toHaveCount(1);
    await expect(page.getByText('pythonVersion')).toHaveCount(0);
    await expect(page.getByTestId('settings-notice')).toHaveCount(0);
  });

  await test.step('more memory than the installation allows', async () => {
    await settings.getByLabel('Python version').fill('');
    await settings.getByLabel('Memory (MB)').fill('1000000');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const error = settings.locator('#settings-memory-error');
    await expect(error).toHaveText(/at most \d+ MB/);
    await expect(page.getByText((await error.textContent()) ?? '', { exact: true })).toHaveCount(1);
    await expect(page.getByText('memoryMb')).toHaveCount(0);
  });

  await test.step('the access list names the entry that is not an email', async () => {
    await page.getByLabel(/Access list/).fill('ada@example.com\nnot-an-email');
    await page.getByRole('button', { name: 'Save access list' }).click();
    await expect(page.getByTestId('access-notice')).toHaveText(
      '"not-an-email" is not an email address. Enter one email address per line; nothing was saved.',
    );
  });

  await test.step('a setting that needs a build follows it to its end', async () => {
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
  });

  await test.step('delete it, confirming with Enter in the name field', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByLabel(`Type ${appName} to confirm`).fill(appName);
    await page.getByRole('dialog').getByLabel(`Type ${appName} to confirm`).press('Enter');
    await expect(page.getByTestId('deleted-notice')).toHaveText(`${appName} was deleted.`);
  });
});
