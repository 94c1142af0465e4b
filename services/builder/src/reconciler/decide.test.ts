import type { RouteEntry } from '@cove/shared/routing/route-table';
import { describe, expect, test } from 'vitest';
import {
  crashMessage,
  type DesiredApp,
  decide,
  type ObservedContainer,
  type ReconcileAction,
  type ReconcileInput,
  type UnfinishedDeployment,
} from './decide';

const now = new Date('2025-01-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const appId = '00000000-0000-4000-8000-00000000000a';
const liveId = '00000000-0000-4000-8000-0000000000d1';
const newId = '00000000-0000-4000-8000-0000000000d2';

function app(overrides: Partial<DesiredApp> = {}): DesiredApp {
  return {
    id: appId,
    name: 'hello',
    status: 'running',
    statusMessage: null,
    crashCount: 0,
    updatedAt: secondsAgo(600),
    idle: { freezeAfterSeconds: null, stopAfterSeconds: null },
    replicaCount: 1,
    replicaSettings: { minReplicas: 1, maxReplicas: 1, sessionsPerReplica: 50, replicaCount: 1 },
    live: { deploymentId: liveId, imageTag: 'cove-x/hello:abc', containerId: 'c-live', hostPort: 40001 },
    ...overrides,
  };
}

function container(overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: 'c-live',
    appId,
    deploymentId: liveId,
    state: 'running',
    exitCode: null,
    isOomKilled: false,
    memoryLimitMb: 512,
    endpoint: { host: '127.0.0.1', port: 40001 },
    node: 'host-a',
    ...overrides,
  };
}

function unfinished(overrides: Partial<UnfinishedDeployment> = {}): UnfinishedDeployment {
  return {
    id: newId,
    appId,
    status: 'building',
    heartbeatAt: secondsAgo(1),
    interruptionCount: 0,
    ...overrides,
  };
}

const servingRoute: RouteEntry = {
  appId,
  appName: 'hello',
  status: 'running',
  upstream: { host: '127.0.0.1', port: 40001 },
  replicas: [{ id: 'c-live', host: '127.0.0.1', port: 40001, node: 'host-a' }],
};

function input(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    apps: [app()],
    unfinished: [],
    containers: [container()],
    routes: new Map([['hello', servingRoute]]),
    now,
    thresholds: { buildStaleSeconds: 30, crashBackoffSeconds: 5, crashBackoffMaxSeconds: 300 },
    ...overrides,
  };
}

describe('decide', () => {
  test.each<{ case: string; input: ReconcileInput; expected: ReconcileAction[] }>([
    { case: 'a healthy live app with its route needs nothing', input: input(), expected: [] },
    {
      case: 'a build whose heartbeat went stale is built again; the live version and its route stay',
      input: input({ unfinished: [unfinished({ heartbeatAt: secondsAgo(31) })] }),
      expected: [{ kind: 'rebuild-deployment', deploymentId: newId, containerIds: [] }],
    },
    {
      case: 'a build whose heartbeat is not yet stale goes on',
      input: input({ unfinished: [unfinished({ heartbeatAt: secondsAgo(29), interruptionCount: 1 })] }),
      expected: [],
    },
    {
      case: 'a deploying deployment with no heartbeat at all is built again',
      input: input({ unfinished: [unfinished({ status: 'deploying', heartbeatAt: null })] }),
      expected: [{ kind: 'rebuild-deployment', deploymentId: newId, containerIds: [] }],
    },
    {
      case: 'a stale build already interrupted once fails: a build that stops the builder is not retried for ever',
      input: input({ unfinished: [unfinished({ heartbeatAt: secondsAgo(31), interruptionCount: 1 })] }),
      expected: [{ kind: 'fail-deployment', deploymentId: newId, containerIds: [] }],
    },
    {
      case: 'a queued deployment waits for a worker, however old',
      input: input({ unfinished: [unfinished({ status: 'queued', heartbeatAt: null })] }),
      expected: [],
    },
    {
      case: 'the container of a build in progress is kept',
      input: input({
        unfinished: [unfinished({ status: 'deploying' })],
        containers: [
          container(),
          container({ id: 'c-new', deploymentId: newId, endpoint: { host: '127.0.0.1', port: 40002 } }),
        ],
      }),
      expected: [],
    },
    {
      case: 'of two running containers of the live deployment (a secrets swap cut short), the recorded one stays',
      input: input({
        containers: [container({ id: 'c-other', endpoint: { host: '127.0.0.1', port: 40009 } }), container()],
      }),
      expected: [{ kind: 'remove-container', containerId: 'c-other', deploymentId: liveId }],
    },
    {
      case: 'the leftover container of a stale deploy goes with its rebuild, not before it',
      input: input({
        unfinished: [unfinished({ status: 'deploying', heartbeatAt: secondsAgo(60) })],
        containers: [
          container(),
          container({ id: 'c-new', deploymentId: newId, endpoint: { host: '127.0.0.1', port: 40002 } }),
        ],
      }),
      expected: [{ kind: 'rebuild-deployment', deploymentId: newId, containerIds: ['c-new'] }],
    },
    {
      case: 'the leftover container of a stale deploy past the bound goes with its failure',
      input: input({
        unfinished: [unfinished({ status: 'deploying', heartbeatAt: secondsAgo(60), interruptionCount: 1 })],
        containers: [
          container(),
          container({ id: 'c-new', deploymentId: newId, endpoint: { host: '127.0.0.1', port: 40002 } }),
        ],
      }),
      expected: [{ kind: 'fail-deployment', deploymentId: newId, containerIds: ['c-new'] }],
    },
    {
      case: 'containers of superseded deployments and deleted apps are removed, their routes too',
      input: input({
        containers: [
          container(),
          container({ id: 'c-old', deploymentId: 'old', state: 'exited', exitCode: 0 }),
          container({ id: 'c-gone', appId: 'gone-app', deploymentId: 'gone' }),
        ],
        routes: new Map([
          ['hello', servingRoute],
          ['gone', { appId: '00000000-0000-4000-8000-0000000000ff', appName: 'gone', status: 'running' }],
        ]),
      }),
      expected: [
        { kind: 'remove-container', containerId: 'c-old', deploymentId: 'old' },
        { kind: 'remove-container', containerId: 'c-gone', deploymentId: 'gone' },
        { kind: 'remove-route', appName: 'gone' },
      ],
    },
    {
      case: 'a live container that is missing is started again, the route loses its upstream',
      input: input({ containers: [] }),
      expected: [
        { kind: 'start-live', appId, deploymentId: liveId },
        {
          kind: 'write-route',
          entry: { appId, appName: 'hello', status: 'running' },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'a live container that exited cleanly (host restart) is started again without a crash',
      input: input({ containers: [container({ state: 'exited', exitCode: 0, endpoint: null })] }),
      expected: [
        { kind: 'remove-container', containerId: 'c-live', deploymentId: liveId },
        { kind: 'start-live', appId, deploymentId: liveId },
        {
          kind: 'write-route',
          entry: { appId, appName: 'hello', status: 'running' },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'an instance lost with its node (dead, no exit code) is started again at once, not counted as a crash',
      input: input({ containers: [container({ state: 'dead', exitCode: null, endpoint: null })] }),
      expected: [
        { kind: 'remove-container', containerId: 'c-live', deploymentId: liveId },
        { kind: 'start-live', appId, deploymentId: liveId },
        {
          kind: 'write-route',
          entry: { appId, appName: 'hello', status: 'running' },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'a live container killed for memory marks the app crashed',
      input: input({
        containers: [container({ state: 'exited', exitCode: 137, isOomKilled: true, endpoint: null })],
      }),
      expected: [
        { kind: 'remove-container', containerId: 'c-live', deploymentId: liveId },
        {
          kind: 'mark-crashed',
          appId,
          deploymentId: liveId,
          message:
            'Your app ran out of memory: it used 512 MB, its limit. Make it use less memory or raise the limit in Settings.',
        },
        {
          kind: 'write-route',
          entry: { appId, appName: 'hello', status: 'running' },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'a crashed app waits out its backoff before a restart',
      input: input({
        apps: [app({ status: 'crashed', crashCount: 2, updatedAt: secondsAgo(7) })],
        containers: [],
        routes: new Map([['hello', { appId, appName: 'hello', status: 'crashed' }]]),
      }),
      expected: [],
    },
    {
      case: 'a crashed app past its backoff is started again',
      input: input({
        apps: [app({ status: 'crashed', crashCount: 2, updatedAt: secondsAgo(11) })],
        containers: [],
        routes: new Map([['hello', { appId, appName: 'hello', status: 'crashed' }]]),
      }),
      expected: [{ kind: 'start-live', appId, deploymentId: liveId }],
    },
    {
      case: 'a sleeping app keeps its stopped container and is not started',
      input: input({
        apps: [app({ status: 'sleeping' })],
        containers: [container({ state: 'exited', exitCode: 0, endpoint: null })],
        routes: new Map([['hello', { appId, appName: 'hello', status: 'sleeping' }]]),
      }),
      expected: [],
    },
    {
      case: 'a container restarted on another port is recorded and routed',
      input: input({
        containers: [container({ id: 'c-other', endpoint: { host: '127.0.0.1', port: 40009 } })],
      }),
      expected: [
        {
          kind: 'record-container',
          deploymentId: liveId,
          containerId: 'c-other',
          endpoint: { host: '127.0.0.1', port: 40009 },
        },
        {
          kind: 'write-route',
          entry: {
            ...servingRoute,
            upstream: { host: '127.0.0.1', port: 40009 },
            replicas: [{ id: 'c-other', host: '127.0.0.1', port: 40009, node: 'host-a' }],
          },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'an instance that moved to another node (same port, new address) is routed to its new address',
      input: input({ containers: [container({ endpoint: { host: '10.0.9.7', port: 40001 } })] }),
      expected: [
        {
          kind: 'write-route',
          entry: {
            ...servingRoute,
            upstream: { host: '10.0.9.7', port: 40001 },
            replicas: [{ id: 'c-live', host: '10.0.9.7', port: 40001, node: 'host-a' }],
          },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'every running replica up to the count is routed, the recorded one first',
      input: input({
        apps: [app({ replicaCount: 2 })],
        containers: [
          container({ id: 'c-second', endpoint: { host: '127.0.0.1', port: 40002 } }),
          container(),
        ],
      }),
      expected: [
        {
          kind: 'write-route',
          entry: {
            ...servingRoute,
            replicas: [
              { id: 'c-live', host: '127.0.0.1', port: 40001, node: 'host-a' },
              { id: 'c-second', host: '127.0.0.1', port: 40002, node: 'host-a' },
            ],
          },
          liveDeploymentId: liveId,
        },
      ],
    },
    {
      case: 'a replica that died is started again, and leaves the route meanwhile',
      input: input({
        apps: [app({ replicaCount: 2 })],
        containers: [
          container(),
          container({ id: 'c-dead', state: 'exited', exitCode: 137, endpoint: null }),
        ],
      }),
      expected: [
        { kind: 'remove-container', containerId: 'c-dead', deploymentId: liveId },
        { kind: 'start-replicas', appId, deploymentId: liveId, total: 2 },
      ],
    },
    {
      case: 'replicas past the count are removed',
      input: input({
        containers: [container({ id: 'c-extra', endpoint: { host: '127.0.0.1', port: 40003 } }), container()],
      }),
      expected: [{ kind: 'remove-container', containerId: 'c-extra', deploymentId: liveId }],
    },
    {
      case: 'an app never deployed gets a route saying its status',
      input: input({ apps: [app({ status: 'failed', live: null })], containers: [], routes: new Map() }),
      expected: [
        { kind: 'write-route', entry: { appId, appName: 'hello', status: 'failed' }, liveDeploymentId: null },
      ],
    },
    {
      case: "a failed app's route carries the first sentence of why, for its visitors",
      input: input({
        apps: [
          app({
            status: 'failed',
            live: null,
            statusMessage:
              'The main file `app.py` is not in the repository. Files at the top level: a.py.\nmore',
          }),
        ],
        containers: [],
        routes: new Map(),
      }),
      expected: [
        {
          kind: 'write-route',
          entry: {
            appId,
            appName: 'hello',
            status: 'failed',
            reason: 'The main file `app.py` is not in the repository.',
          },
          liveDeploymentId: null,
        },
      ],
    },
  ])('$case', ({ input: given, expected }) => {
    expect(decide(given)).toEqual(expected);
  });
});

describe('crashMessage', () => {
  test('says how much memory an app killed for memory had, or that it had no set limit', () => {
    expect(crashMessage({ exitCode: 0, isOomKilled: true, memoryLimitMb: 96 })).toBe(
      'Your app ran out of memory: it used 96 MB, its limit. Make it use less memory or raise the limit in Settings.',
    );
    expect(crashMessage({ exitCode: 137, isOomKilled: true, memoryLimitMb: null })).toMatch(
      /^Your app ran out of memory: it used all the memory it was given\./,
    );
    expect(crashMessage({ exitCode: 1, isOomKilled: false, memoryLimitMb: 96 })).toMatch(
      /^Your app stopped with exit code 1\./,
    );
  });
});
