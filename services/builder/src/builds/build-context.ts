// Turns a clone into a build context: reads the dependency files, decides what to install and on
// which Python, says so in the build log, and writes the Dockerfile and the `dependencies/` folder
// beside the clone (so nothing of Cove's lands in the app's folder).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';
import { candidatePaths, detectDependencies, searchedFolders } from './dependencies/detect';
import { readRepositoryFiles } from './dependencies/repository-files';
import type { DependencyPlan } from './dependencies/types';
import { contextLayout, dependencyContextFiles, generateDockerfile } from './dockerfile';
import { choosePythonVersion } from './python-version';
import { runtimePythonVersions } from './runtime-python';
import { describeStreamlitConfig, streamlitConfigFile } from './streamlit-config';

export interface PreparedContext {
  plan: DependencyPlan;
  pythonVersion: string;
}

function inFolder(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Writes `<contextDir>/Dockerfile` and `<contextDir>/dependencies/`; the clone is `<contextDir>/repo`. */
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

  const offered = await runtimePythonVersions(runtime, {
    [labelKeys.helperOf]: config.COVE_INSTANCE,
  }).offered(config.COVE_RUNTIME_IMAGE);
  const versionFile = folders
    .map((folder) => inFolder(folder, '.python-version'))
    .find((file) => files.has(file));
  const python = choosePythonVersion(
    offered,
    versionFile === undefined ? null : { file: versionFile, content: files.get(versionFile) ?? '' },
    request.pythonVersion,
  );
  log(python.note);

  const plan = detectDependencies(mainFile, files);
  for (const note of plan.notes) log(note);
  for (const note of describeStreamlitConfig(mainFile, files)) log(note);

  const dependenciesDir = path.join(contextDir, contextLayout.dependencies);
  await mkdir(dependenciesDir, { recursive: true });
  for (const [name, content] of Object.entries(dependencyContextFiles(plan.python))) {
    await writeFile(path.join(dependenciesDir, name), content);
  }
  const dockerfile = generateDockerfile({
    runtimeImage: config.COVE_RUNTIME_IMAGE,
    mainFile,
    aptPackages: plan.aptPackages,
    python: plan.python,
  });
  await writeFile(path.join(contextDir, contextLayout.dockerfile), dockerfile);
  return { plan, pythonVersion: python.version };
}
