import { expect, test } from 'vitest';
import type { PythonInstall } from './dependencies/types';
import { aptCapabilities, aptInstallCommand, dependencyKey, pythonInstallStep } from './install-steps';

const requirements: PythonInstall = {
  kind: 'requirements',
  sourceFile: 'src/requirements.txt',
  requirementsTxt: 'six\n',
  entries: null,
};

test('uv installs the author’s file into the image’s venv, with the workspace’s cache', () => {
  const { command } = pythonInstallStep(requirements, '/home/cove-build', 1024);
  // First the cache is bounded (emptied past 1024 MB), then uv runs.
  expect(command.slice(0, 2)).toEqual(['sh', '-c']);
  expect(command.slice(3, 6)).toEqual(['bounded-cache', '/var/cache/cove-uv', '1024']);
  expect(command.slice(6)).toEqual([
    'env',
    'NO_COLOR=1',
    'UV_NO_CACHE=0',
    'UV_CACHE_DIR=/var/cache/cove-uv',
    'UV_LINK_MODE=copy',
    'HOME=/home/cove-build',
    'uv',
    'pip',
    'install',
    '--no-progress',
    '--python',
    '/opt/venv/bin/python',
    '-r',
    '/tmp/cove/src/requirements.txt',
  ]);
});

test('uv syncs a uv.lock into the image’s venv, keeping Streamlit, from the lock’s folder', () => {
  const step = pythonInstallStep(
    { kind: 'uv-lock', sourceFile: 'uv.lock', pyprojectToml: '', uvLock: '' },
    '/home/cove-build',
    1024,
  );
  expect(step.workingDir).toBe('/tmp/cove');
  expect(step.command.slice(-6)).toEqual([
    'uv',
    'sync',
    '--frozen',
    '--inexact',
    '--no-install-project',
    '--no-progress',
  ]);
  expect(step.command).toContain('UV_PROJECT_ENVIRONMENT=/opt/venv');
  expect(step.command).toContain('UV_PYTHON_DOWNLOADS=never');
});

test('apt-get gets the package names as arguments, and root without the network capabilities', () => {
  const command = aptInstallCommand(['ffmpeg', 'libgl1']);
  expect(command.slice(0, 2)).toEqual(['sh', '-c']);
  expect(command[2]).toContain('apt-get install -y --no-install-recommends "$@"');
  expect(command.slice(-2)).toEqual(['ffmpeg', 'libgl1']);
  expect(aptCapabilities).not.toContain('NET_RAW');
  expect(aptCapabilities).not.toContain('NET_ADMIN');
});

test('the dependency image is keyed on the runtime image, the workspace, the packages and the files', () => {
  const base = {
    runtimeImageId: 'sha256:1',
    workspaceId: 'ws1',
    aptPackages: ['ffmpeg'],
    python: requirements,
  };
  const key = dependencyKey(base);
  expect(dependencyKey({ ...base })).toBe(key);
  for (const changed of [
    { ...base, runtimeImageId: 'sha256:2' },
    { ...base, workspaceId: 'ws2' },
    { ...base, aptPackages: [] },
    { ...base, python: { ...requirements, requirementsTxt: 'six==1.16.0\n' } },
    { ...base, python: null },
  ]) {
    expect(dependencyKey(changed)).not.toBe(key);
  }
});
