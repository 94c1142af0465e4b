import type { AppView, DeploymentView } from '@cove/shared/contracts/api';
import { expect, test } from 'vitest';
import { actionNotice } from './action-notice';

const liveSha = 'a'.repeat(40);
const newSha = 'b'.repeat(40);

function deployment(id: string, status: DeploymentView['status'], commit: string | null): DeploymentView {
  return {
    id,
    status,
    trigger: 'manual',
    branch: 'main',
    commit,
    uploadDigest: null,
    commitMessage: null,
    commitAuthor: null,
    errorMessage: status === 'failed' ? 'The build failed.' : null,
    image: null,
    pythonVersion: null,
    hasServed: status === 'running',
    createdAt: '2026-12-07T12:00:00.000Z',
    startedAt: null,
    finishedAt: null,
  };
}

const live = deployment('00000000-0000-4000-8000-000000000001', 'running', liveSha);
const redeployId = '00000000-0000-4000-8000-000000000002';

function app(overrides: Partial<AppView>): AppView {
  return {
    id: '00000000-0000-4000-8000-000000000009',
    name: 'charts',
    url: 'http://charts.localhost:4080/',
    source: 'git',
    repoUrl: 'http://127.0.0.1:4090/charts.git',
    branch: 'main',
    mainFile: 'streamlit_app.py',
    status: 'running',
    statusMessage: null,
    currentDeployment: live,
    latestDeployment: live,
    pythonVersion: null,
    liveInstance: null,
    offeredPythonVersions: ['3.11', '3.13'],
    resources: { memoryMb: 512, cpus: 1, maxMemoryMb: 4096, maxCpus: 2 },
    scaling: { minReplicas: 1, maxReplicas: 1, sessionsPerReplica: 50 },
    replicas: [],
    idle: {
      freezeAfterSeconds: null,
      stopAfterSeconds: null,
      platformFreezeAfterSeconds: 600,
      platformStopAfterSeconds: 3600,
    },
    lastVisitAt: null,
    visibility: 'public',
    previews: { isEnabled: false, hasSecrets: false, limit: 3, open: [] },
    previewOf: null,
    githubRepository: null,
    createdAt: '2026-12-07T11:00:00.000Z',
    ...overrides,
  };
}

const redeploy = { kind: 'redeploy', deploymentId: redeployId } as const;

test('a redeploy is followed from queued to live, and does not stay "queued"', () => {
  const steps: [DeploymentView['status'], RegExp][] = [
    ['queued', /^Queued/],
    ['building', /^Building bbbbbbb…$/],
    ['deploying', /^Starting bbbbbbb; the current version serves until it answers…$/],
  ];
  for (const [status, text] of steps)
    expect(
      actionNotice(redeploy, app({ latestDeployment: deployment(redeployId, status, newSha) })).text,
    ).toMatch(text);
  const done = deployment(redeployId, 'running', newSha);
  expect(actionNotice(redeploy, app({ currentDeployment: done, latestDeployment: done }))).toEqual({
    text: 'Redeployed: bbbbbbb is live.',
    isError: false,
  });
});

test('a failed redeploy says so, and that the live version keeps serving', () => {
  const failed = deployment(redeployId, 'failed', newSha);
  expect(actionNotice(redeploy, app({ latestDeployment: failed }))).toEqual({
    text: 'The redeploy failed. The version that was live keeps serving.',
    isError: true,
  });
  expect(actionNotice(redeploy, app({ currentDeployment: null, latestDeployment: failed })).text).toBe(
    'The redeploy failed. See the build log below for why.',
  );
});

test('a redeploy replaced by a newer one does not claim to be in progress', () => {
  const newer = deployment('00000000-0000-4000-8000-000000000003', 'building', newSha);
  expect(actionNotice(redeploy, app({ latestDeployment: newer })).text).toMatch(/newer deployment replaced/);
});

test('a rollback ends as "Rolled back", without a lingering "…"', () => {
  const rollback = deployment(redeployId, 'running', liveSha);
  expect(
    actionNotice(
      { kind: 'rollback', deploymentId: redeployId },
      app({ currentDeployment: rollback, latestDeployment: rollback }),
    ).text,
  ).toBe('Rolled back: aaaaaaa is live.');
});

test('a settings change that needs a build is followed to its end', () => {
  const built = deployment(redeployId, 'running', newSha);
  expect(
    actionNotice(
      { kind: 'rebuild', deploymentId: redeployId },
      app({ currentDeployment: built, latestDeployment: built }),
    ).text,
  ).toBe('Built with the new settings: bbbbbbb is live.');
  expect(
    actionNotice(
      { kind: 'rebuild', deploymentId: redeployId },
      app({ latestDeployment: deployment(redeployId, 'failed', newSha) }),
    ),
  ).toEqual({
    text: 'The build with the new settings failed. The version that was live keeps serving.',
    isError: true,
  });
});

test('sleep and wake follow the app status to their end', () => {
  expect(actionNotice({ kind: 'sleep' }, app({ status: 'running' })).text).toBe('Putting charts to sleep…');
  expect(actionNotice({ kind: 'sleep' }, app({ status: 'sleeping' })).text).toBe(
    'charts is asleep; the next visit wakes it.',
  );
  expect(actionNotice({ kind: 'wake' }, app({ status: 'waking' })).text).toBe('Waking charts…');
  expect(actionNotice({ kind: 'wake' }, app({ status: 'running' })).text).toBe('charts is awake.');
});

test('a reboot is followed until a fresh container has taken over', () => {
  const before = app({ liveInstance: 'aaaaaaaaaaaa' });
  expect(actionNotice({ kind: 'reboot', instanceBefore: 'aaaaaaaaaaaa' }, before).text).toMatch(
    /^Rebooting charts: .+…$/,
  );
  const after = app({ liveInstance: 'bbbbbbbbbbbb' });
  expect(actionNotice({ kind: 'reboot', instanceBefore: 'aaaaaaaaaaaa' }, after).text).toBe(
    'Rebooted: a fresh copy of charts is live.',
  );
});
