import { describe, expect, test } from 'vitest';
import { DeployFailure } from '../../failure';
import { candidatePaths, detectDependencies } from './detect';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

interface PrecedenceCase {
  case: string;
  mainFile: string;
  files: Record<string, string>;
  source: string;
  note: string;
}

describe('which file is installed', () => {
  test.each<PrecedenceCase>([
    {
      case: 'requirements.txt next to the main file wins over the root one',
      mainFile: 'src/app.py',
      files: { 'src/requirements.txt': 'six\n', 'requirements.txt': 'numpy\n', 'pyproject.toml': '' },
      source: 'src/requirements.txt',
      note: 'Using requirements.txt from src/ (next to the main file); ignoring requirements.txt, pyproject.toml.',
    },
    {
      case: 'the root is searched when the main file’s folder has none',
      mainFile: 'src/app.py',
      files: { 'requirements.txt': 'six\n' },
      source: 'requirements.txt',
      note: 'Using requirements.txt at the repository root (none next to the main file in src/).',
    },
    {
      case: 'uv.lock comes first',
      mainFile: 'app.py',
      files: {
        'uv.lock': 'version = 1\n',
        'pyproject.toml': '[project]\nname = "x"\n',
        Pipfile: '',
        'requirements.txt': 'six\n',
      },
      source: 'uv.lock',
      note: 'Using uv.lock (with its pyproject.toml, installed exactly as locked) at the repository root; ignoring Pipfile, requirements.txt.',
    },
    {
      case: 'a uv.lock without its pyproject.toml is passed over',
      mainFile: 'app.py',
      files: { 'uv.lock': '', 'requirements.txt': 'six\n' },
      source: 'requirements.txt',
      note: 'Using requirements.txt at the repository root.',
    },
    {
      case: 'Pipfile (with its lock) before environment.yml and requirements.txt',
      mainFile: 'app.py',
      files: {
        Pipfile: '[packages]\nsix = "*"\n',
        'Pipfile.lock': '{"default": {"six": {"version": "==1.16.0"}}}',
        'environment.yml': 'dependencies:\n  - pip:\n    - six\n',
        'requirements.txt': 'six\n',
      },
      source: 'Pipfile.lock',
      note: 'Using Pipfile.lock (the versions locked for Pipfile) at the repository root; ignoring environment.yml, requirements.txt.',
    },
    {
      case: 'environment.yml before requirements.txt',
      mainFile: 'app.py',
      files: { 'environment.yml': 'dependencies:\n  - pip:\n    - six\n', 'requirements.txt': 'six\n' },
      source: 'environment.yml',
      note: "Using environment.yml's pip section at the repository root; ignoring requirements.txt.",
    },
    {
      case: 'requirements.txt before pyproject.toml',
      mainFile: 'app.py',
      files: { 'requirements.txt': 'six\n', 'pyproject.toml': '[project]\ndependencies = ["numpy"]\n' },
      source: 'requirements.txt',
      note: 'Using requirements.txt at the repository root; ignoring pyproject.toml.',
    },
  ])('$case', ({ mainFile, files: repository, source, note }) => {
    const plan = detectDependencies(mainFile, files(repository));
    expect(plan.python?.sourceFile).toBe(source);
    expect(plan.notes).toContain(note);
  });

  test('a repository with no dependency file gets Streamlit alone', () => {
    expect(detectDependencies('app.py', files({ 'README.md': '' }))).toEqual({
      python: null,
      aptPackages: [],
      packagesTxt: null,
      notes: [
        'No Python dependency file found (uv.lock, Pipfile, environment.yml, requirements.txt, pyproject.toml): the app gets Streamlit alone.',
      ],
    });
  });

  test('reads exactly the files it may need, the main file’s folder first', () => {
    expect(candidatePaths('pages/main.py').slice(0, 2)).toEqual(['pages/uv.lock', 'pages/Pipfile']);
    expect(candidatePaths('app.py')).toContain('packages.txt');
  });
});

describe('the requirements list Cove writes', () => {
  test('from pyproject.toml’s [project] dependencies, remembering their lines', () => {
    const pyproject =
      '[project]\nname = "demo"\ndependencies = [\n  "six>=1.16",\n  \'requests[socks]\',\n]\n';
    const plan = detectDependencies('app.py', files({ 'pyproject.toml': pyproject }));
    expect(plan.python).toEqual({
      kind: 'requirements',
      sourceFile: 'pyproject.toml',
      requirementsTxt: 'six>=1.16\nrequests[socks]\n',
      entries: [
        { requirement: 'six>=1.16', source: { file: 'pyproject.toml', lineNumber: 4, text: '"six>=1.16",' } },
        {
          requirement: 'requests[socks]',
          source: { file: 'pyproject.toml', lineNumber: 5, text: "'requests[socks]'," },
        },
      ],
    });
  });

  test('a pyproject.toml without [project] dependencies installs nothing and says why', () => {
    const plan = detectDependencies(
      'app.py',
      files({ 'pyproject.toml': '[tool.poetry.dependencies]\nsix = "*"\n' }),
    );
    expect(plan.python).toBeNull();
    expect(plan.notes).toContain(
      "pyproject.toml has no [project] dependencies (Poetry's [tool.poetry.dependencies] is not read): Streamlit alone is installed. List them under [project] dependencies (PEP 621).",
    );
  });

  test('from a Pipfile: versions, extras, markers and git sources', () => {
    const pipfile = [
      '[[source]]',
      'url = "https://pypi.org/simple"',
      '',
      '[packages]',
      'six = "*"',
      'pandas = ">=2.0"',
      'requests = {version = "==2.32.3", extras = ["socks"], markers = "python_version >= \'3.8\'"}',
      'tool = {git = "https://example.com/tool.git", ref = "v1"}',
      '',
      '[dev-packages]',
      'pytest = "*"',
    ].join('\n');
    const plan = detectDependencies('app.py', files({ Pipfile: pipfile }));
    expect(plan.python?.kind === 'requirements' ? plan.python.requirementsTxt : null).toBe(
      "six\npandas>=2.0\nrequests[socks]==2.32.3 ; python_version >= '3.8'\ntool @ git+https://example.com/tool.git@v1\n",
    );
    expect(plan.python?.kind === 'requirements' ? plan.python.entries?.[1]?.source : null).toEqual({
      file: 'Pipfile',
      lineNumber: 6,
      text: 'pandas = ">=2.0"',
    });
  });

  test('from a Pipfile.lock: the locked default packages, not the dev ones', () => {
    const lock = JSON.stringify(
      {
        _meta: { requires: { python_version: '3.11' } },
        default: {
          six: { hashes: [], version: '==1.16.0' },
          pytz: { version: '==2024.1', markers: "python_version >= '3'" },
        },
        develop: { pytest: { version: '==8.0.0' } },
      },
      null,
      4,
    );
    const plan = detectDependencies(
      'app.py',
      files({ Pipfile: '[packages]\nsix = "*"\n', 'Pipfile.lock': lock }),
    );
    expect(plan.python?.kind === 'requirements' ? plan.python.requirementsTxt : null).toBe(
      "six==1.16.0\npytz==2024.1 ; python_version >= '3'\n",
    );
  });

  test('a Pipfile path dependency is refused, naming its line', () => {
    expect(() =>
      detectDependencies('app.py', files({ Pipfile: '[packages]\nmine = {path = ".", editable = true}\n' })),
    ).toThrow(
      'Line 2 of Pipfile: `mine` is a local path; Cove installs dependencies before copying the code',
    );
  });

  test('from environment.yml: the pip section', () => {
    const environment =
      'name: demo\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - six==1.16.0\n';
    const plan = detectDependencies('app.py', files({ 'environment.yml': environment }));
    expect(plan.python).toEqual({
      kind: 'requirements',
      sourceFile: 'environment.yml',
      requirementsTxt: 'six==1.16.0\n',
      entries: [
        {
          requirement: 'six==1.16.0',
          source: { file: 'environment.yml', lineNumber: 6, text: '- six==1.16.0' },
        },
      ],
    });
    expect(plan.notes).toContain(
      "environment.yml asks for `python=3.11`; the Python version comes from .python-version or the platform's default.",
    );
  });

  test('conda packages in environment.yml fail the build, naming them', () => {
    const environment = 'dependencies:\n  - numpy=1.26\n  - conda-forge::gdal\n  - pip:\n      - six\n';
    expect(() => detectDependencies('app.py', files({ 'environment.yml': environment }))).toThrow(
      'environment.yml lists conda packages (`numpy=1.26`, `conda-forge::gdal`), and conda packages are not supported',
    );
  });
});

describe('packages.txt', () => {
  test('lists Debian packages, skipping comments and blank lines', () => {
    const plan = detectDependencies(
      'app.py',
      files({ 'packages.txt': '# system libraries\nffmpeg\n\nlibgl1  # for opencv\nffmpeg\n' }),
    );
    expect(plan.aptPackages).toEqual(['ffmpeg', 'libgl1']);
    expect(plan.notes).toContain(
      'Installing 2 Debian packages from packages.txt with apt-get: ffmpeg, libgl1.',
    );
  });

  test.each([
    [
      'ffmpeg\nlibsm6 libxext6\n',
      'Line 2 of packages.txt (`libsm6 libxext6`) is not a Debian package name. Put one package per line.',
    ],
    [
      'FFmpeg\n',
      'Line 1 of packages.txt (`FFmpeg`) is not a Debian package name. Debian package names use lower-case',
    ],
    ['curl; rm -rf /\n', 'Line 1 of packages.txt (`curl; rm -rf /`) is not a Debian package name.'],
  ])('refuses %j', (content, message) => {
    const detect = () => detectDependencies('app.py', files({ 'packages.txt': content }));
    expect(detect).toThrow(DeployFailure);
    expect(detect).toThrow(message);
  });
});
