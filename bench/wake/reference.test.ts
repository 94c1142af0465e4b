import { describe, expect, test } from 'vitest';
import { type InspectedContainer, referenceCreateBody } from './reference';

const coveContainer: InspectedContainer = {
  Id: 'c0ffee',
  State: { Status: 'running' },
  Config: {
    Image: 'cove-local/hello:abc',
    Env: ['HOME=/home/app', 'COVE_MAIN_FILE=streamlit_app.py'],
    User: '10001:10001',
    Cmd: null,
    Entrypoint: ['/usr/local/bin/cove-entrypoint'],
    WorkingDir: '/app',
    ExposedPorts: { '8501/tcp': {} },
    Labels: { 'cove.instance': 'local', 'cove.app-id': 'a1', 'org.example': 'kept by the image' },
  },
  HostConfig: {
    NetworkMode: 'cove-local-app-a1',
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': 'size=256m' },
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    Memory: 805306368,
    MemorySwap: 805306368,
    NanoCpus: 1_000_000_000,
    PidsLimit: 256,
    PortBindings: { '8501/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    AutoRemove: true,
    Privileged: false,
  },
};

describe('referenceCreateBody', () => {
  const body = referenceCreateBody(coveContainer, {
    containerPort: 8501,
    hostPort: 45000,
    labels: { 'cove.bench': 'wake-1' },
  });

  test("keeps the image, user, environment, entrypoint and the isolation and limits of Cove's container", () => {
    expect(body).toMatchObject({
      Image: 'cove-local/hello:abc',
      User: '10001:10001',
      Env: ['HOME=/home/app', 'COVE_MAIN_FILE=streamlit_app.py'],
      Entrypoint: ['/usr/local/bin/cove-entrypoint'],
      WorkingDir: '/app',
      HostConfig: {
        NetworkMode: 'cove-local-app-a1',
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'size=256m' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Memory: 805306368,
        MemorySwap: 805306368,
        NanoCpus: 1_000_000_000,
        PidsLimit: 256,
      },
    });
  });

  test('publishes on a fixed loopback port and never restarts or removes itself', () => {
    expect(body).toMatchObject({
      HostConfig: {
        PortBindings: { '8501/tcp': [{ HostIp: '127.0.0.1', HostPort: '45000' }] },
        RestartPolicy: { Name: 'no' },
      },
    });
    expect(body).not.toHaveProperty('HostConfig.AutoRemove');
  });

  test("empties the Cove labels it would inherit from the image, so Cove's reconciler leaves it alone", () => {
    expect(body).toHaveProperty('Labels', { 'cove.instance': '', 'cove.app-id': '', 'cove.bench': 'wake-1' });
  });
});
