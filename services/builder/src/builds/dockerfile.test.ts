import { expect, test } from 'vitest';
import { dependencyContextFiles, generateDockerfile, uvCacheId } from './dockerfile';

test('copies the code onto the dependency image and runs nothing', () => {
  const dockerfile = generateDockerfile({
    baseImage: 'cove-local-dependencies/ws1:abc',
    mainFile: 'src/app.py',
  });
  expect(dockerfile).toBe(
    [
      'FROM cove-local-dependencies/ws1:abc',
      'ENV COVE_MAIN_FILE="src/app.py"',
      'COPY --chown=app:app repo/ /app/',
      '',
    ].join('\n'),
  );
  expect(dockerfile).not.toMatch(/^RUN /m);
});

test('a uv.lock goes with its pyproject.toml; no dependencies, no files', () => {
  const python = {
    kind: 'uv-lock',
    sourceFile: 'uv.lock',
    pyprojectToml: '[project]\n',
    uvLock: 'version = 1\n',
  } as const;
  expect(dependencyContextFiles(python)).toEqual({
    'pyproject.toml': '[project]\n',
    'uv.lock': 'version = 1\n',
  });
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
