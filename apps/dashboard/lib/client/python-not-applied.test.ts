import type { AppView, DeploymentView } from '@cove/shared/contracts/api';
import { describe, expect, it } from 'vitest';
import { pythonNotApplied } from './python-not-applied';

function deployment(changes: Partial<DeploymentView>): DeploymentView {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    status: 'running',
    trigger: 'push',
    branch: 'main',
    commit: 'a'.repeat(40),
    uploadDigest: null,
    commitMessage: null,
    commitAuthor: null,
    errorMessage: null,
    image: 'cove-local/app:a',
    pythonVersion: '3.11',
    hasServed: true,
    createdAt: '2026-12-07T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...changes,
  };
}

function appWith(
  pythonVersion: string | null,
  current: DeploymentView | null,
  latest: DeploymentView | null,
) {
  return { pythonVersion, currentDeployment: current, latestDeployment: latest } as AppView;
}

describe('pythonNotApplied', () => {
  const live = deployment({});
  it('says nothing when the live version runs the saved Python, or nothing is saved or live', () => {
    expect(pythonNotApplied(appWith('3.11', live, live))).toBeNull();
    expect(pythonNotApplied(appWith(null, live, live))).toBeNull();
    expect(pythonNotApplied(appWith('3.13', null, null))).toBeNull();
    expect(pythonNotApplied(appWith('3.13', deployment({ pythonVersion: null }), null))).toBeNull();
  });
  it('waits while a build is under way', () => {
    expect(
      pythonNotApplied(appWith('3.13', live, deployment({ status: 'building', pythonVersion: null }))),
    ).toBeNull();
  });
  it('names a failed build with the saved Python', () => {
    const failed = deployment({ status: 'failed', pythonVersion: '3.13' });
    expect(pythonNotApplied(appWith('3.13', live, failed))).toBe(
      'Python 3.13 is saved, but the live version runs Python 3.11: the build with 3.13 failed (its log is under Deployments). Fix it and redeploy, or choose 3.11 again.',
    );
  });
  it('names a rollback, and otherwise the repository’s .python-version', () => {
    const rollback = deployment({ trigger: 'rollback' });
    expect(pythonNotApplied(appWith('3.13', rollback, rollback))).toMatch(/an earlier version was made live/);
    expect(pythonNotApplied(appWith('3.13', live, live))).toMatch(
      /the repository's .python-version chose it/,
    );
  });
});
