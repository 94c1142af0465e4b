// A team as people build one: an owner invites someone by email (no mail is configured here, so the
// page shows the link to pass on); the invited person opens it, creates an account with that email
// and lands in the team's workspace; they switch between workspaces; the owner changes their role.
import { randomUUID } from 'node:crypto';
import { expect, step, test } from './fixtures';
import { journeyPassword, signUpInDashboard } from './journeys';
import { platform } from './platform';

test('an owner invites a person who signs up from the link, joins, switches workspace and gets a new role', async ({
  browser,
}) => {
  const suffix = randomUUID().slice(0, 8);
  const ownerEmail = `team-owner-${suffix}@example.com`;
  const inviteeEmail = `team-invitee-${suffix}@example.com`;
  const ownerContext = await browser.newContext();
  const inviteeContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const invitee = await inviteeContext.newPage();
  let link = '';

  await step('the owner signs up and invites an email as a viewer', async () => {
    await signUpInDashboard(owner, ownerEmail);
    await owner.getByRole('link', { name: 'Workspace' }).click();
    await expect(owner.getByRole('heading', { level: 1 })).toHaveText(`team-owner-${suffix}'s workspace`);
    await expect(owner.getByText('Apps0 of 50')).toBeVisible();
    await owner.getByLabel('Email').fill(inviteeEmail);
    await owner.getByLabel('Role', { exact: true }).selectOption('viewer');
    await owner.getByRole('button', { name: 'Invite' }).click();
    await expect(owner.getByRole('status')).toHaveText(
      `No mail is configured on this Cove, so nothing was sent: copy the link and pass it on to ${inviteeEmail}.`,
    );
    link = await owner.getByLabel('Invite link', { exact: true }).inputValue();
    expect(link).toMatch(new RegExp(`^${platform.dashboardUrl}/invite/[A-Za-z0-9_-]+$`));
    await expect(owner.getByRole('cell', { name: inviteeEmail })).toBeVisible();
  });

  await step('the invited person opens the link, creates an account and joins', async () => {
    await invitee.goto(link);
    await expect(invitee.getByRole('heading', { level: 1 })).toHaveText(
      `Join team-owner-${suffix}'s workspace`,
    );
    await expect(invitee.getByLabel('Email')).toHaveValue(inviteeEmail);
    await invitee.getByLabel('Password').fill(journeyPassword);
    await invitee.getByRole('button', { name: 'Create account and join' }).click();
    await expect(invitee).toHaveURL(/\/apps$/);
    const switcher = invitee.getByLabel('Workspace', { exact: true });
    await expect(switcher.locator('option:checked')).toHaveText(`team-owner-${suffix}'s workspace (viewer)`);
    await invitee.getByRole('link', { name: 'Workspace' }).click();
    await expect(invitee.getByText('You are a viewer here.')).toBeVisible();
    await expect(invitee.getByRole('cell', { name: ownerEmail })).toBeVisible();
    // A viewer sees no invitation form and no role controls.
    await expect(invitee.getByRole('button', { name: 'Invite' })).toHaveCount(0);
    await expect(invitee.getByRole('combobox', { name: `Role of ${ownerEmail}` })).toHaveCount(0);
  });

  await step('the link works once', async () => {
    const again = await browser.newContext();
    const page = await again.newPage();
    await page.goto(link);
    await expect(page.getByText(/This invitation has already been used/)).toBeVisible();
    await again.close();
  });

  await step('the invited person switches to their own workspace and back', async () => {
    const switcher = invitee.getByLabel('Workspace', { exact: true });
    await switcher.selectOption({ label: `team-invitee-${suffix}'s workspace (owner)` });
    await expect(invitee).toHaveURL(/\/apps$/);
    await expect(invitee.getByLabel('Workspace', { exact: true }).locator('option:checked')).toHaveText(
      `team-invitee-${suffix}'s workspace (owner)`,
    );
    await invitee.getByLabel('Workspace', { exact: true }).selectOption({
      label: `team-owner-${suffix}'s workspace (viewer)`,
    });
    await expect(invitee.getByLabel('Workspace', { exact: true }).locator('option:checked')).toHaveText(
      `team-owner-${suffix}'s workspace (viewer)`,
    );
  });

  await step('the owner makes them a developer', async () => {
    await owner.reload();
    await owner.getByRole('combobox', { name: `Role of ${inviteeEmail}` }).selectOption('developer');
    await expect(owner.getByRole('status')).toHaveText(`${inviteeEmail} is now developer.`);
    await invitee.goto(`${platform.dashboardUrl}/workspace`);
    await expect(invitee.getByText('You are a developer here.')).toBeVisible();
  });

  await step('the owner renames the workspace; its members see the new name', async () => {
    await owner.getByLabel('Workspace name').fill(`Team ${suffix}`);
    await owner.getByRole('button', { name: 'Rename' }).click();
    await expect(owner.getByText(`Renamed to Team ${suffix}.`)).toBeVisible();
    await expect(owner.getByRole('heading', { level: 1 })).toHaveText(`Team ${suffix}`);
    await invitee.reload();
    await expect(invitee.getByRole('heading', { level: 1 })).toHaveText(`Team ${suffix}`);
    // Only owners rename.
    await expect(invitee.getByLabel('Workspace name')).toHaveCount(0);
  });

  await ownerContext.close();
  await inviteeContext.close();
});
