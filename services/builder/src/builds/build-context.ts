// Turns a clone into a build context: reads the dependency files, decides what to install and on
// which Python, says so in the build log, and writes the `dependencies/` folder beside the clone (so
// nothing of Cove's lands in the app's folder); the Dockerfile follows once they are installed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';
import { candidatePaths, detectDependencies, searchedFolders } from './dependencies/detect';
import { readRepositoryFiles } from './dependencies/repository-files';
import { collectIncludedFiles } from './dependencies/requirements-includes';
import type { DependencyPlan, PythonInstall } from './dependencies/types';
import { contextLayout, dependencyContextFiles, generateDockerfile } from './dockerfile';
import { choosePythonVersion } from './python-version';
import { offeredRuntimes } from './runtime-images';
import { runtimePythonVersions } from './runtime-python';
import { describeStreamlitConfig, streamlitConfigFile } from './streamlit-config';

/** The author's requirements.txt with the files it includes (`-r`, `-c`), read from the clone. */
async function withIncludedFiles(
  repositoryDir: string,
  python: PythonInstall | null,
  log: (line: string) => void,
): Promise<PythonInstall | null> {
  if (python?.kind !== 'requirements' || python.entries !== null) return python;
  const included = await collectIncludedFiles(python.sourceFile, python.requirementsTxt, async (file) => {
    const read = await readRepositoryFiles(repositoryDir, [file]);
    return read.get(file) ?? null;
  });
  if (included.size === 0) return python;
  log(`${python.sourceFile} includes ${[...included.keys()].join(', ')}; they are installed with it.`);
  return { ...python, includedFiles: Object.fromEntries(included) };
}

export interface PreparedContext {
  plan: DependencyPlan;
  pythonVersion: string;
  /** The runtime image with that Python: the dependencies and the code go on it. */
  runtimeImage: string;
}

function inFolder(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Writes `<contextDir>/dependencies/`; the clone is `<contextDir>/repo`. */
export async function prepareBuildContext(
  context: BuilderContext,
  request: {
    contextDir: string;
    mainFile: string;
    /** The app's setting, used when the repository has no .python-version. */
    pythonVersion: string | null;
    log: (line: string) => void;
  },
): Promise<PreparedContext> {
  const { config, runtime } = context;
  const { contextDir, mainFile, log } = request;
  const folders = searchedFolders(mainFile);
  const files = await readRepositoryFiles(path.join(contextDir, contextLayout.repository), [
    ...candidatePaths(mainFile),
    ...folders.map((folder) => inFolder(folder, streamlitConfigFile)),
  ]);

  const pythonOf = runtimePythonVersions(runtime, { [labelKeys.helperOf]: config.COVE_INSTANCE });
  const runtimes = await offeredRuntimes(config, async (image) => {
    const [version] = await pythonOf.offered(image);
    if (version === undefined) throw new Error(`The runtime image ${image} offers no Python`);
    return version;
  });
  const offered = runtimes.map((entry) => entry.pythonVersion);
  const versionFile = folders
    .map((folder) => inFolder(folder, '.python-version'))
    .find((file) => files.has(file));
  const version = choosePythonVersion(
    offered,
    versionFile === undefined ? null : { file: versionFile, content: files.get(versionFile) ?? '' },
    request.pythonVersion,
  );
  log(version.note);

  const plan = detectDependencies(mainFile, files);
  for (const note of plan.notes) log(note);
  for (const note of describeStreamlitConfig(mainFile, files)) log(note);

  const python = await withIncludedFiles(path.join(contextDir, contextLayout.repository), plan.python, log);
  const dependenciesDir = path.join(contextDir, contextLayout.dependencies);
  await mkdir(dependenciesDir, { recursive: true });
  for (const [name, content] of Object.entries(dependencyContextFiles(python))) {
    await mkdir(path.dirname(path.join(dependenciesDir, name)), { recursive: true });
    await writeFile(path.join(dependenciesDir, name), content);
  }
  const chosen = runtimes.find((entry) => entry.pythonVersion === version.version);
  if (chosen === undefined) throw new Error(`No runtime image has the chosen Python ${version.version}`);
  return { plan: { ...plan, python }, pythonVersion: version.version, runtimeImage: chosen.image };
}

/** Writes `<contextDir>/Dockerfile`: the code copied onto `baseImage`. */
export async function writeDockerfile(
  contextDir: string,
  baseImage: string,
  mainFile: string,
): Promise<void> {
  await writeFile(
    path.join(contextDir, contextLayout.dockerfile),
    generateDockerfile({ baseImage, mainFile }),
  );
}
