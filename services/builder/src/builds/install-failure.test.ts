import { describe, expect, test } from 'vitest';
import type { PythonInstall } from './dependencies/types';
import {
  explainAptFailure,
  explainInstallFailure,
  isCommandFailure,
  parseRequirementLines,
} from './install-failure';

function requirementsTxt(text: string): PythonInstall {
  return { kind: 'requirements', sourceFile: 'requirements.txt', requirementsTxt: text, entries: null };
}

// BuildKit's failure line, as the build log ends with it.
const dockerFailure =
  'executor failed running [/bin/sh -c NO_COLOR=1 uv pip install -r /tmp/cove/requirements.txt]: exit code: 1';

describe('explainInstallFailure', () => {
  test.each([
    {
      case: 'a package that does not exist',
      requirements: 'numpy\n# plots\nThis_Package-Does-Not-Exist-Cove==1.0\n',
      output: [
        "Step 3/4 : RUN --mount=type=cache,id=cove-uv-local-ws1,target=/var/cache/cove-uv NO_COLOR=1 uv pip install --no-progress --python /opt/venv/bin/python -r '/tmp/cove/requirements.txt'",
        'Using Python 3.11.2 environment at: /opt/venv',
        'error: No solution found when resolving dependencies',
        '  cause: Because this-package-does-not-exist-cove was not found in the package registry and you require this-package-does-not-exist-cove==1.0, we can conclude that your requirements are unsatisfiable.',
        dockerFailure,
      ],
      expected:
        'Line 3 of requirements.txt (`This_Package-Does-Not-Exist-Cove==1.0`) could not be installed. uv says: No solution found when resolving dependencies Because this-package-does-not-exist-cove was not found in the package registry and you require this-package-does-not-exist-cove==1.0, we can conclude that your requirements are unsatisfiable.',
    },
    {
      case: 'a version that does not exist (fancy output)',
      requirements: 'pandas\nnumpy==0.0.1  # pinned\n',
      output: [
        '  × No solution found when resolving dependencies:',
        '  ╰─▶ Because there is no version of numpy==0.0.1 and you require numpy==0.0.1, we can conclude that your requirements are unsatisfiable.',
        dockerFailure,
      ],
      expected:
        'Line 2 of requirements.txt (`numpy==0.0.1`) could not be installed. uv says: No solution found when resolving dependencies: Because there is no version of numpy==0.0.1 and you require numpy==0.0.1, we can conclude that your requirements are unsatisfiable.',
    },
    {
      case: 'a line uv cannot parse',
      requirements: 'streamlit\n!!!bad\n',
      output: [
        "error: Unexpected '!', expected '-c', '-e', '-r' or the start of a requirement: /tmp/cove/requirements.txt:2:1",
        dockerFailure,
      ],
      expected:
        "Line 2 of requirements.txt (`!!!bad`) could not be installed. uv says: Unexpected '!', expected '-c', '-e', '-r' or the start of a requirement: /tmp/cove/requirements.txt:2:1",
    },
    {
      case: 'a failure naming no requirement',
      requirements: 'numpy\n',
      output: ['error: Failed to fetch: network unreachable', dockerFailure],
      expected: 'Installing requirements.txt failed. uv says: Failed to fetch: network unreachable',
    },
  ])('$case', ({ requirements, output, expected }) => {
    expect(explainInstallFailure(requirementsTxt(requirements), output)?.message).toBe(expected);
  });

  test('uv’s reason ends where the next step of the build log starts', () => {
    expect(
      explainInstallFailure(requirementsTxt('numpy\n'), [
        'error: Failed to fetch: network unreachable',
        'Step 4/4 : COPY --chown=app:app repo/ /app/',
        'no space left on device',
      ])?.message,
    ).toBe('Installing requirements.txt failed. uv says: Failed to fetch: network unreachable');
  });

  test('says nothing when the output is not uv’s', () => {
    expect(
      explainInstallFailure(requirementsTxt('numpy\n'), [
        'Step 3/5 : COPY . /app',
        'no space left on device',
      ]),
    ).toBeNull();
  });
});

test('a line of a list Cove wrote names the author’s file and line', () => {
  const install: PythonInstall = {
    kind: 'requirements',
    sourceFile: 'Pipfile',
    requirementsTxt: 'numpy\nnot-a-package-cove==1.0\n',
    entries: [
      { requirement: 'numpy', source: { file: 'Pipfile', lineNumber: 7, text: 'numpy = "*"' } },
      {
        requirement: 'not-a-package-cove==1.0',
        source: { file: 'Pipfile', lineNumber: 8, text: 'not-a-package-cove = "==1.0"' },
      },
    ],
  };
  const byName = explainInstallFailure(install, [
    'error: Because not-a-package-cove was not found in the package registry, we can conclude that your requirements are unsatisfiable.',
  ]);
  expect(byName).toEqual({
    message:
      'Line 8 of Pipfile (`not-a-package-cove = "==1.0"`) could not be installed. uv says: Because not-a-package-cove was not found in the package registry, we can conclude that your requirements are unsatisfiable.',
    isAuthorsMistake: true,
  });
  const byListLine = explainInstallFailure(install, [
    "error: Couldn't parse requirement in `/tmp/cove/requirements.txt:2`",
  ]);
  expect(byListLine?.message).toMatch(/^Line 8 of Pipfile \(`not-a-package-cove = "==1.0"`\)/);
});

test('a uv.lock that cannot be installed is reported as uv says, to be retried', () => {
  const install: PythonInstall = { kind: 'uv-lock', sourceFile: 'uv.lock', pyprojectToml: '', uvLock: '' };
  expect(explainInstallFailure(install, ['error: Failed to fetch: network unreachable'])).toEqual({
    message:
      'Installing the packages locked in uv.lock failed. uv says: Failed to fetch: network unreachable',
    isAuthorsMistake: false,
  });
});

test('a Debian package that does not exist names its line of packages.txt', () => {
  expect(
    explainAptFailure('packages.txt', '# tools\nffmpeg\nnot-a-debian-package\n', [
      'Reading package lists...',
      'E: Unable to locate package not-a-debian-package',
    ]),
  ).toEqual({
    message:
      'Line 3 of packages.txt asks for `not-a-debian-package`, which Debian does not have (apt-get: Unable to locate package not-a-debian-package). Check the name on packages.debian.org.',
    isAuthorsMistake: true,
  });
  expect(explainAptFailure('packages.txt', 'ffmpeg\n', ['E: Some other apt problem'])).toBeNull();
});

test('parseRequirementLines skips comments, options and blank lines and normalises names', () => {
  expect(parseRequirementLines('-r base.txt\n\nScikit_Learn>=1.0 # ml\n# note\n')).toEqual([
    { lineNumber: 3, text: 'Scikit_Learn>=1.0', packageName: 'scikit-learn' },
  ]);
});

test('isCommandFailure tells a step that exited non-zero from a failure of the engine', () => {
  expect(isCommandFailure(dockerFailure)).toBe(true);
  expect(
    isCommandFailure('process "/bin/sh -c apt-get update" did not complete successfully: exit code: 100'),
  ).toBe(true);
  expect(isCommandFailure('failed to compute cache key: "/repo" not found: not found')).toBe(false);
  expect(isCommandFailure('no space left on device')).toBe(false);
});
