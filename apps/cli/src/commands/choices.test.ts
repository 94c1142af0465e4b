import type { AppView, DeploymentView } from '@cove/shared/contracts/api';
import { describe, expect, test } from 'vitest';
import { exitCodes } from '../exit-codes';
import { previousLiveDeployment } from './lifecycle';
import { chooseDeployment, chooseStream } from './logs';

function deployment(id: string, overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id,
    status: 'running',
    trigger: 'push',
    branch: 'main',
    commit: `${id}000000`,
    uploadDigest: null,
    commitMessage: null,
    commitAuthor: null,
    errorMessage: null,
    image: null,
    pythonVersion: null,
    hasServed: true,
    createdAt: '2026-12-07T12:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

function app(current: DeploymentView | null, latest: DeploymentView | null): AppView {
  return {
    id: '00000000-0000-4000-8000-000000000000',
    name: 'my-app',
    url: 'http://my-app.localhost/',
    source: 'git',
    repoUrl: 'http://git/repo.git',
    branch: 'main',
    mainFile: 'streamlit_app.py',
    status: 'running',
    statusMessage: null,
    currentDeployment: current,
    latestDeployment: latest,
    pythonVersion: null,
    liveInstance: null,
    offeredPythonVersions: ['3.11', '3.13'],
    resources: { memoryMb: 512, cpus: 1, maxMemoryMb: 2048, maxCpus: 2 },
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
    createdAt: '2026-12-07T12:00:00.000Z',
  };
}

describe('which log', () => {
  test('the build log by default', () => {
    expect(chooseStream({ build: false, runtime: false })).toBe('build');
    expect(chooseStream({ build: false, runtime: true })).toBe('runtime');
  });

  test("build: the newest deployment's; runtime: the serving one's, else the newest", () => {
    const serving = deployment('a');
    const building = deployment('b', { status: 'building', hasServed: false });
    expect(chooseDeployment(app(serving, building), 'build')).toBe('b');
    expect(chooseDeployment(app(serving, building), 'runtime')).toBe('a');
    expect(chooseDeployment(app(null, building), 'runtime')).toBe('b');
  });

  test('an app without deployments has no log (exit 3)', () => {
    expect(() => chooseDeployment(app(null, null), 'build')).toThrow(
      expect.objectContaining({ exitCode: exitCodes.notFound }),
    );
  });
});

describe('rollback without a deployment named', () => {
  test('picks the newest one that went live, other than the current', () => {
    const list = [
      deployment('d', { status: 'failed', hasServed: false }),
      deployment('c'),
      deployment('b', { status: 'superseded' }),
      deployment('a', { status: 'superseded' }),
    ];
    expect(previousLiveDeployment(list, 'c')?.id).toBe('b');
    expect(previousLiveDeployment(list, undefined)?.id).toBe('c');
    expect(previousLiveDeployment([deployment('c')], 'c')).toBeUndefined();
  });
});
