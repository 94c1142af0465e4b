import { expect, test } from 'vitest';
import { serviceSpec, tmpfsMount } from './swarm-spec';
import type { RunContainerRequest } from './types';

test("Docker's tmpfs options become a Swarm tmpfs mount; one owned by the app's user is writable by it", () => {
  expect(tmpfsMount('/tmp', 'rw,nosuid,nodev,size=256m,mode=1777')).toEqual({
    Type: 'tmpfs',
    Source: '',
    Target: '/tmp',
    TmpfsOptions: { SizeBytes: 256 * 1024 * 1024, Mode: 0o1777 },
  });
  // Swarm's API (before 1.46) cannot give a tmpfs an owner: 0700 for uid 10001 would lock the app out.
  expect(tmpfsMount('/home/app', 'rw,size=64m,uid=10001,gid=10001,mode=0700').TmpfsOptions).toEqual({
    SizeBytes: 64 * 1024 * 1024,
    Mode: 0o1777,
  });
  expect(tmpfsMount('/cache', 'size=16k,mode=0755').TmpfsOptions).toEqual({
    SizeBytes: 16 * 1024,
    Mode: 0o755,
  });
});

test('an instance is one dnsrr replica with its limits, reservations, secrets and network, never restarted by Swarm', () => {
  const request: RunContainerRequest = {
    name: 'cove-x-hello-1234abcd',
    image: 'sha256:local',
    labels: { 'cove.instance': 'x', 'cove.app-id': 'app-1' },
    env: { A: '1' },
    network: 'cove-x-app-app-1',
    containerPort: 8501,
    userId: 10001,
    memoryMb: 512,
    cpus: 1,
    pidsLimit: 256,
    tmpfs: { '/tmp': 'size=1m' },
  };
  const spec = serviceSpec(request, {
    image: '10.0.0.1:5000/cove-x/app-1@sha256:abc',
    secrets: [{ id: 's1', name: 'cove-x-hello-0-ff', containerPath: '/app/.streamlit/secrets.toml' }],
    cpuReservationRatio: 0.25,
    stopGracePeriodSeconds: 10,
  });
  expect(spec).toMatchObject({
    Name: 'cove-x-hello-1234abcd',
    Labels: { 'cove.instance': 'x', 'cove.app-id': 'app-1', 'cove.container-port': '8501' },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
    TaskTemplate: {
      ContainerSpec: {
        Image: '10.0.0.1:5000/cove-x/app-1@sha256:abc',
        Env: ['A=1'],
        User: '10001:10001',
        ReadOnly: true,
        CapabilityDrop: ['ALL'],
        Secrets: [
          {
            SecretID: 's1',
            SecretName: 'cove-x-hello-0-ff',
            File: { Name: '/app/.streamlit/secrets.toml', UID: '0', GID: '0', Mode: 0o444 },
          },
        ],
      },
      Resources: {
        Limits: { MemoryBytes: 512 * 1024 * 1024, NanoCPUs: 1e9, Pids: 256 },
        Reservations: { MemoryBytes: 512 * 1024 * 1024, NanoCPUs: 0.25e9 },
      },
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: 'cove-x-app-app-1' }],
    },
  });
});
