// A person makes an API token for a script: creates it on the "API tokens" page, copies the secret
// shown that once, sees it listed (last used once the script has used it), revokes it after a
// confirmation, and the script is refused. On the way: no other site's page can frame the dashboard.
import { randomUUID } from 'node:crypto';
import { expect, step, test } from './fixtures';
import { signUpInDashboard } from './journeys';
import { platform } from './platform';

test('a person creates, copies, uses and revokes an API token, and the dashboard cannot be framed', async ({
  browser,
}) => {
  const suffix = randomUUID().slice(0, 8);
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: platform.dashboardUrl });
  const page = await context.newPage();
  const tokenName = `deploy-script-${suffix}`;
  let secret = '';

  await step('the person signs up and opens API tokens: none yet', async () => {
    await signUpInDashboard(page, `tokens-${suffix}@example.com`);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('API tokens');
    await expect(page.getByText('None yet.')).toBeVisible();
  });

  await step('another site that frames the dashboard gets no dashboard in its frame', async () => {
    // A page of an app's origin, as a tenant would serve it; answered here, without the network.
    const framerUrl = platform.appUrl(`framer-${suffix}`);
    const framer = await context.newPage();
    await framer.route(framerUrl, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<iframe src="${platform.dashboardUrl}/tokens" onload="document.title='frame loaded'"></iframe>`,
      }),
    );
    await framer.goto(framerUrl);
    await expect(framer).toHaveTitle('frame loaded');
    const child = framer.frames().find((frame) => frame !== framer.mainFrame());
    // Chromium refuses to render the dashboard there and shows its own error page instead.
    expect(child?.url() ?? '').not.toContain(new URL(platform.dashboardUrl).host);
    await framer.close();
  });

  await step('the person creates a full token for 30 days and copies its secret', async () => {
    await page.getByLabel('Name').fill(tokenName);
    await page.getByLabel('Scope').selectOption({ label: 'full (everything your role allows)' });
    await page.getByLabel('Expires after').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByText('you will not see it again')).toBeVisible();
    secret = await page.getByLabel('The new token', { exact: true }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    // The root tsconfig has no DOM types: the expression runs in the page.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    const row = page.getByRole('row', { name: new RegExp(tokenName) });
    await expect(row.getByRole('cell').nth(1)).toHaveText('full');
    await expect(row.getByRole('cell').nth(3)).toHaveText('never');
    await expect(row.getByRole('cell').nth(4)).not.toHaveText('never');
  });

  await step('a script uses the token; the page says when, and never shows the secret again', async () => {
    const used = await fetch(`${platform.apiUrl}/apps`, { headers: { authorization: `Bearer ${secret}` } });
    expect(used.status).toBe(200);
    await page.reload();
    const row = page.getByRole('row', { name: new RegExp(tokenName) });
    await expect(row.getByRole('cell').nth(3)).not.toHaveText('never');
    await expect(page.getByText('you will not see it again')).toHaveCount(0);
    await expect(page.getByText(secret)).toHaveCount(0);
  });

  await step('the person revokes it after confirming, and the script is refused', async () => {
    await page.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke ${tokenName}?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('row', { name: new RegExp(tokenName) })).toBeVisible();
    await page.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('status')).toContainText(`${tokenName}: The token is revoked`);
    await expect(page.getByText('None yet.')).toBeVisible();
    const refused = await fetch(`${platform.apiUrl}/apps`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(refused.status).toBe(401);
  });

  await context.close();
});
