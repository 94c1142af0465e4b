// The Dockerfile every app is built with: the image its dependencies were installed in (or the
// runtime image when it has none), then the code. Nothing runs in it: the installs, which run code
// of the app's choosing, happen before in fenced containers (dependency-image.ts), so a push that
// changes only code rebuilds this one copy.
import type { PythonInstall } from './dependencies/types';

/** The build context Cove assembles: the clone in `repo/`, dependency files in `dependencies/`. */
export const contextLayout = {
  dockerfile: 'Dockerfile',
  repository: 'repo',
  dependencies: 'dependencies',
} as const;

/** Never sent to the engine (only the Dockerfile and the code are needed), so never in the image. */
export const excludedContextPaths = [`${contextLayout.repository}/.git`, contextLayout.dependencies] as const;

export interface DockerfileInputs {
  /** The dependency image, or the runtime image for an app without dependencies. */
  baseImage: string;
  mainFile: string;
}

/**
 * One uv cache per workspace (and instance), a volume: every app of a workspace reuses what the
 * others fetched, but a package built from source runs its own code in the install, so what one
 * workspace writes into its cache never reaches another's builds.
 */
export function uvCacheId(instance: string, workspaceId: string): string {
  return `cove-uv-${instance}-${workspaceId}`;
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

/**
 * Where the requirements list goes in `dependencies/`: the author's own file keeps its path from
 * the repository root, so the `-r` and `-c` files beside it resolve as they do in the repository.
 */
export function requirementsPath(python: Extract<PythonInstall, { kind: 'requirements' }>): string {
  return python.entries === null ? python.sourceFile : 'requirements.txt';
}

/** The files of `dependencies/` by relative path: what the dependency image is keyed on. */
export function dependencyContextFiles(python: PythonInstall | null): Record<string, string> {
  if (python === null) return {};
  switch (python.kind) {
    case 'requirements':
      return { ...python.includedFiles, [requirementsPath(python)]: python.requirementsTxt };
    case 'uv-lock':
      return { 'pyproject.toml': python.pyprojectToml, 'uv.lock': python.uvLock };
    default: {
      const unknownKind: never = python;
      throw new Error(`Unknown install ${JSON.stringify(unknownKind)}`);
    }
  }
}

export function generateDockerfile(inputs: DockerfileInputs): string {
  return [
    `FROM ${inputs.baseImage}`,
    `ENV COVE_MAIN_FILE=${quoted(inputs.mainFile)}`,
    `COPY --chown=app:app ${contextLayout.repository}/ /app/`,
    '',
  ].join('\n');
}
