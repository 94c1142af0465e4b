import { expect, test } from 'vitest';
import { dependencyContextFiles, generateDockerfile, uvCacheId } from './dockerfile';

test('installs Debian packages, then Python dependencies, as root before the code, then runs as app', () => {
  expect(
    generateDockerfile({
      runtimeImage: 'cove/runtime:dev',
      mainFile: 'src/app.py',
      aptPackages: ['ffmpeg', 'libgl1'],
      python: {
        kind: 'requirements',
        sourceFile: 'src/requirements.txt',
        requirementsTxt: 'six\n',
        entries: null,
      },
      uvCacheId: 'cove-uv-local-ws1',
    }),
  ).toBe(
    [
      'FROM cove/runtime:dev',
      'USER root',
      'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg libgl1 && rm -rf /var/lib/apt/lists/*',
      'COPY dependencies/ /tmp/cove/',
      "RUN --mount=type=cache,id=cove-uv-local-ws1,target=/var/cache/cove-uv NO_COLOR=1 UV_NO_CACHE=0 UV_CACHE_DIR=/var/cache/cove-uv UV_LINK_MODE=copy uv pip install --no-progress --python /opt/venv/bin/python -r '/tmp/cove/src/requirements.txt'",
      'USER app',
      'ENV COVE_MAIN_FILE="src/app.py"',
      'COPY --chown=app:app repo/ /app/',
      '',
    ].join('\n'),
  );
});

test('syncs a uv.lock into the image’s environment, keeping Streamlit', () => {
  const python = {
    kind: 'uv-lock',
    sourceFile: 'uv.lock',
    pyprojectToml: '[project]\n',
    uvLock: 'version = 1\n',
  } as const;
  const dockerfile = generateDockerfile({
    runtimeImage: 'img',
    mainFile: 'app.py',
    aptPackages: [],
    python,
    uvCacheId: 'cove-uv-local-ws1',
  });
  expect(dockerfile).toContain(
    'RUN --mount=type=cache,id=cove-uv-local-ws1,target=/var/cache/cove-uv cd /tmp/cove && NO_COLOR=1 UV_NO_CACHE=0 UV_CACHE_DIR=/var/cache/cove-uv UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never uv sync --frozen --inexact --no-install-project --no-progress\n',
  );
  expect(dependencyContextFiles(python)).toEqual({
    'pyproject.toml': '[project]\n',
    'uv.lock': 'version = 1\n',
  });
});

test('has no dependency layer without dependencies', () => {
  expect(
    generateDockerfile({
      runtimeImage: 'img',
      mainFile: 'app.py',
      aptPackages: [],
      python: null,
      uvCacheId: 'x',
    }),
  ).toBe('FROM img\nENV COVE_MAIN_FILE="app.py"\nCOPY --chown=app:app repo/ /app/\n');
  expect(dependencyContextFiles(null)).toEqual({});
});

test('keeps the author’s requirements.txt at its path, with the files it includes beside it', () => {
  const python = {
    kind: 'requirements',
    sourceFile: 'src/requirements.txt',
    requirementsTxt: '-r base.txt\n-c ../constraints.txt\n',
    entries: null,
    includedFiles: { 'src/base.txt': 'six\n', 'constraints.txt': 'six==1.17.0\n' },
  } as const;
  expect(dependencyContextFiles(python)).toEqual({
    'src/requirements.txt': '-r base.txt\n-c ../constraints.txt\n',
    'src/base.txt': 'six\n',
    'constraints.txt': 'six==1.17.0\n',
  });
  const generated = { ...python, entries: [], includedFiles: {} };
  expect(Object.keys(dependencyContextFiles(generated))).toEqual(['requirements.txt']);
});

test('uv’s cache is one per workspace and instance', () => {
  expect(uvCacheId('local', 'ws1')).toBe('cove-uv-local-ws1');
  expect(uvCacheId('local', 'ws2')).not.toBe(uvCacheId('local', 'ws1'));
  expect(uvCacheId('staging', 'ws1')).not.toBe(uvCacheId('local', 'ws1'));
});
