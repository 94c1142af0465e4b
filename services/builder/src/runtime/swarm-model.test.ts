import { expect, test } from 'vitest';
import { type InstanceView, type SwarmNode, type SwarmTask, toContainerInfo } from './swarm-model';

const nodes = new Map<string, SwarmNode>([
  [
    'n1',
    { ID: 'n1', Description: { Hostname: 'lab-manager' }, Status: { State: 'ready', Addr: '10.0.0.11' } },
  ],
  [
    'n2',
    { ID: 'n2', Description: { Hostname: 'lab-worker1' }, Status: { State: 'down', Addr: '10.0.0.12' } },
  ],
]);

function task(overrides: Partial<SwarmTask> & Pick<SwarmTask, 'ID' | 'CreatedAt'>): SwarmTask {
  return {
    ServiceID: 's1',
    NodeID: 'n1',
    DesiredState: 'running',
    Status: { State: 'running', ContainerStatus: { ContainerID: `c-${overrides.ID}` } },
    NetworksAttachments: [{ Network: { Spec: { Name: 'app-net' } }, Addresses: ['10.214.0.5/28'] }],
    ...overrides,
  };
}

function view(tasks: SwarmTask[], overrides: Partial<InstanceView> = {}): InstanceView {
  return {
    service: {
      ID: 's1',
      Version: { Index: 9 },
      Spec: {
        Name: 'cove-x-hello',
        Labels: { 'cove.app-id': 'a1', 'cove.container-port': '8501' },
        TaskTemplate: {
          ContainerSpec: { Image: 'reg/cove-x/a1@sha256:1' },
          Resources: { Limits: { MemoryBytes: 96 * 1024 * 1024 } },
        },
        Mode: { Replicated: { Replicas: 1 } },
      },
    },
    tasks,
    nodes,
    container: { isPaused: false, isOomKilled: false },
    network: null,
    ...overrides,
  };
}

test("a running task is the instance: its overlay address and the app's port, its node's name", () => {
  expect(toContainerInfo(view([task({ ID: 't1', CreatedAt: '2026-01-01T00:00:01Z' })]))).toEqual({
    id: 's1',
    name: 'cove-x-hello',
    image: 'reg/cove-x/a1@sha256:1',
    labels: { 'cove.app-id': 'a1', 'cove.container-port': '8501' },
    state: 'running',
    exitCode: null,
    isOomKilled: false,
    memoryLimitMb: 96,
    endpoint: { host: '10.214.0.5', port: 8501 },
    hostPort: null,
    node: 'lab-manager',
  });
});

test('the newest task Swarm means to run stands for the instance; a replacement starting reads created', () => {
  const old = task({ ID: 't1', CreatedAt: '2026-01-01T00:00:01Z', DesiredState: 'shutdown' });
  const next = task({
    ID: 't2',
    CreatedAt: '2026-01-01T00:00:05Z',
    DesiredState: 'ready',
    Status: { State: 'preparing' },
  });
  expect(toContainerInfo(view([old, next]))).toMatchObject({ state: 'created', endpoint: null });
});

test('scaled to 0: exited with the exit code of what last ran; an OOM kill shows', () => {
  const ended = task({
    ID: 't1',
    CreatedAt: '2026-01-01T00:00:01Z',
    DesiredState: 'shutdown',
    Status: { State: 'failed', ContainerStatus: { ContainerID: 'c1', ExitCode: 137 } },
  });
  const stopped = view([ended], { container: { isPaused: false, isOomKilled: true } });
  stopped.service.Spec.Mode = { Replicated: { Replicas: 0 } };
  expect(toContainerInfo(stopped)).toMatchObject({
    state: 'exited',
    exitCode: 137,
    isOomKilled: true,
    endpoint: null,
  });
});

test("frozen on its node's engine: paused, endpoint kept; on a node that is down: dead, whatever Swarm lists", () => {
  const running = task({ ID: 't1', CreatedAt: '2026-01-01T00:00:01Z' });
  expect(
    toContainerInfo(view([running], { container: { isPaused: true, isOomKilled: false } })),
  ).toMatchObject({
    state: 'paused',
    endpoint: { host: '10.214.0.5', port: 8501 },
  });
  const lost = task({ ID: 't1', CreatedAt: '2026-01-01T00:00:01Z', NodeID: 'n2', DesiredState: 'shutdown' });
  expect(toContainerInfo(view([lost], { container: null }))).toMatchObject({
    state: 'dead',
    endpoint: null,
    node: 'lab-worker1',
  });
});
