// Which dependency files a repository has and which one is installed, with Community Cloud's
// precedence, so apps move over unchanged: next to the main file first, then at the repository
// root; in each place the first found of uv.lock, Pipfile, environment.yml, requirements.txt,
// pyproject.toml. packages.txt (Debian packages) comes on top of any of them.
import path from 'node:path';
import { readEnvironmentYml } from './environment-yml';
import { parsePackagesTxt } from './packages-txt';
import { readPipfile, readPipfileLock } from './pipfile';
import { readPyprojectDependencies } from './pyproject';
import { requirementsText } from './source-lines';
import type { DependencyPlan, PythonInstall, RepositoryFiles, RequirementEntry } from './types';

export const pythonDependencyFiles = [
  'uv.lock',
  'Pipfile',
  'environment.yml',
  'requirements.txt',
  'pyproject.toml',
] as const;
type PythonDependencyFile = (typeof pythonDependencyFiles)[number];

const precedenceNote = `Cove takes the first found of ${pythonDependencyFiles.join(', ')}, next to the main file first, then at the repository root.`;

/** The folders searched, the main file's first; '' is the repository root. */
export function searchedFolders(mainFile: string): string[] {
  const folder = path.posix.dirname(path.posix.normalize(mainFile));
  return folder === '.' || folder === '' ? [''] : [folder, ''];
}

function inFolder(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Every file detection may read, for the part that reads the clone. */
export function candidatePaths(mainFile: string): string[] {
  const names = [...pythonDependencyFiles, 'Pipfile.lock', 'packages.txt', '.python-version'];
  return searchedFolders(mainFile).flatMap((folder) => names.map((name) => inFolder(folder, name)));
}

interface Found {
  kind: PythonDependencyFile;
  folder: string;
}

function describeFolder(folder: string, mainFolder: string): string {
  if (folder !== '') return `from ${folder}/ (next to the main file)`;
  return mainFolder === ''
    ? 'at the repository root'
    : `at the repository root (none next to the main file in ${mainFolder}/)`;
}

function findPythonFiles(
  files: RepositoryFiles,
  folders: readonly string[],
): { found: Found[]; notes: string[] } {
  const found: Found[] = [];
  const notes: string[] = [];
  for (const folder of folders) {
    for (const kind of pythonDependencyFiles) {
      if (!files.has(inFolder(folder, kind))) continue;
      if (kind === 'uv.lock' && !files.has(inFolder(folder, 'pyproject.toml'))) {
        notes.push(`Ignoring ${inFolder(folder, kind)}: there is no pyproject.toml beside it.`);
        continue;
      }
      found.push({ kind, folder });
    }
  }
  return { found, notes };
}

function read(files: RepositoryFiles, file: string): string {
  return files.get(file) ?? '';
}

function planPython(files: RepositoryFiles, chosen: Found, notes: string[]): PythonInstall | null {
  const at = (name: string) => inFolder(chosen.folder, name);
  const fromEntries = (sourceFile: string, entries: readonly RequirementEntry[]): PythonInstall | null =>
    entries.length === 0
      ? null
      : {
          kind: 'requirements',
          sourceFile,
          requirementsTxt: requirementsText(entries.map((entry) => entry.requirement)),
          entries,
        };
  switch (chosen.kind) {
    case 'uv.lock':
      return {
        kind: 'uv-lock',
        sourceFile: at('uv.lock'),
        pyprojectToml: read(files, at('pyproject.toml')),
        uvLock: read(files, at('uv.lock')),
      };
    case 'Pipfile': {
      const lock = at('Pipfile.lock');
      return files.has(lock)
        ? fromEntries(lock, readPipfileLock(lock, read(files, lock)))
        : fromEntries(at('Pipfile'), readPipfile(at('Pipfile'), read(files, at('Pipfile'))));
    }
    case 'environment.yml': {
      const environment = readEnvironmentYml(at('environment.yml'), read(files, at('environment.yml')));
      notes.push(...environment.notes);
      return fromEntries(at('environment.yml'), environment.entries);
    }
    case 'requirements.txt':
      return {
        kind: 'requirements',
        sourceFile: at('requirements.txt'),
        requirementsTxt: read(files, at('requirements.txt')),
        entries: null,
      };
    case 'pyproject.toml': {
      const pyproject = readPyprojectDependencies(at('pyproject.toml'), read(files, at('pyproject.toml')));
      notes.push(...pyproject.notes);
      return fromEntries(at('pyproject.toml'), pyproject.entries);
    }
    default: {
      const unknownKind: never = chosen.kind;
      throw new Error(`Unknown dependency file ${String(unknownKind)}`);
    }
  }
}

function describeChoice(files: RepositoryFiles, chosen: Found): string {
  const at = (name: string) => inFolder(chosen.folder, name);
  switch (chosen.kind) {
    case 'uv.lock':
      return 'uv.lock (with its pyproject.toml, installed exactly as locked)';
    case 'Pipfile':
      return files.has(at('Pipfile.lock'))
        ? 'Pipfile.lock (the versions locked for Pipfile)'
        : 'Pipfile (there is no Pipfile.lock beside it, so versions are resolved now)';
    case 'environment.yml':
      return "environment.yml's pip section";
    case 'requirements.txt':
      return 'requirements.txt';
    case 'pyproject.toml':
      return 'the [project] dependencies of pyproject.toml';
    default: {
      const unknownKind: never = chosen.kind;
      throw new Error(`Unknown dependency file ${String(unknownKind)}`);
    }
  }
}

/** Reads the plan from the repository's files; throws a permanent DeployFailure for a bad file. */
export function detectDependencies(mainFile: string, files: RepositoryFiles): DependencyPlan {
  const folders = searchedFolders(mainFile);
  const mainFolder = folders[0] ?? '';
  const { found, notes } = findPythonFiles(files, folders);
  const [chosen, ...ignored] = found;
  let python: PythonInstall | null = null;
  if (chosen === undefined) {
    notes.push(
      `No Python dependency file found (${pythonDependencyFiles.join(', ')}): the app gets Streamlit alone.`,
    );
  } else {
    const ignoring = ignored
      .filter(
        (other) =>
          !(chosen.kind === 'uv.lock' && other.kind === 'pyproject.toml' && other.folder === chosen.folder),
      )
      .map((other) => inFolder(other.folder, other.kind));
    notes.push(
      `Using ${describeChoice(files, chosen)} ${describeFolder(chosen.folder, mainFolder)}` +
        (ignoring.length > 0 ? `; ignoring ${ignoring.join(', ')}.` : '.'),
      precedenceNote,
    );
    python = planPython(files, chosen, notes);
  }

  const packagesFile = folders
    .map((folder) => inFolder(folder, 'packages.txt'))
    .find((file) => files.has(file));
  const aptPackages =
    packagesFile === undefined
      ? []
      : parsePackagesTxt(packagesFile, read(files, packagesFile)).map((pkg) => pkg.name);
  if (packagesFile !== undefined) {
    notes.push(
      aptPackages.length === 0
        ? `${packagesFile} lists no packages.`
        : `Installing ${aptPackages.length === 1 ? 'a Debian package' : `${aptPackages.length} Debian packages`} from ${packagesFile} with apt-get: ${aptPackages.join(', ')}.`,
    );
  }
  const packagesTxt =
    packagesFile === undefined ? null : { file: packagesFile, content: read(files, packagesFile) };
  return { python, aptPackages, packagesTxt, notes };
}
