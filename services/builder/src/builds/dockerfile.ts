// The Dockerfile every app is built with: the runtime image, then the Debian packages, then the
// Python dependencies, then the code. The dependency layers come first and see only the dependency
// files (copied into their own folder of the context), so a push that changes only code reuses them;
// when the dependencies do change, uv finds the packages it fetched or built before in its cache.
import type { PythonInstall } from './dependencies/types';

/** The build context Cove assembles: the clone in `repo/`, dependency files in `dependencies/`. */
export const contextLayout = {
  dockerfile: 'Dockerfile',
  repository: 'repo',
  dependencies: 'dependencies',
} as const;

/** Never sent to the engine, so never in the image. */
export const excludedContextPaths = [`${contextLayout.repository}/.git`] as const;

export interface DockerfileInputs {
  runtimeImage: string;
  mainFile: string;
  aptPackages: readonly string[];
  python: PythonInstall | null;
  /** BuildKit's id for the cache mount holding uv's cache: see uvCacheId. */
  uvCacheId: string;
}

/**
 * One uv cache per workspace (and instance): every app of a workspace reuses what the others
 * fetched, but a package built from source runs its own code as root in the build, so what one
 * workspace writes into its cache never reaches another's builds.
 */
export function uvCacheId(instance: string, workspaceId: string): string {
  return `cove-uv-${instance}-${workspaceId}`;
}

/** Where the cache is mounted during the install; a cache mount never lands in the image. */
const uvCacheDir = '/var/cache/cove-uv';

/**
 * The runtime image turns uv's cache off (UV_NO_CACHE) for what runs in the app's container; the
 * install turns it on, in the mount. The mount is another filesystem than /opt/venv, so uv copies
 * out of it rather than hard-linking.
 */
const uvCacheEnv = `UV_NO_CACHE=0 UV_CACHE_DIR=${uvCacheDir} UV_LINK_MODE=copy`;

function quoted(value: string): string {
  return JSON.stringify(value);
}

/**
 * Where the requirements list goes in `dependencies/`: the author's own file keeps its path from
 * the repository root, so the `-r` and `-c` files beside it resolve as they do in the repository.
 */
function requirementsPath(python: Extract<PythonInstall, { kind: 'requirements' }>): string {
  return python.entries === null ? python.sourceFile : 'requirements.txt';
}

function shellQuoted(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The files of `dependencies/` by relative path: what the Python layer is keyed on. */
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

function installCommand(python: PythonInstall): string {
  switch (python.kind) {
    case 'requirements':
      return `NO_COLOR=1 ${uvCacheEnv} uv pip install --no-progress --python /opt/venv/bin/python -r ${shellQuoted(`/tmp/cove/${requirementsPath(python)}`)}`;
    case 'uv-lock':
      // --inexact keeps what the image has and the lock does not (Streamlit itself); the venv is
      // the image's, never one uv would download a Python for.
      return `cd /tmp/cove && NO_COLOR=1 ${uvCacheEnv} UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never uv sync --frozen --inexact --no-install-project --no-progress`;
    default: {
      const unknownKind: never = python;
      throw new Error(`Unknown install ${JSON.stringify(unknownKind)}`);
    }
  }
}

export function generateDockerfile(inputs: DockerfileInputs): string {
  const lines = [`FROM ${inputs.runtimeImage}`];
  const hasInstalls = inputs.aptPackages.length > 0 || inputs.python !== null;
  // Installs run as root (/opt/venv and the system belong to root); the app itself runs as `app`.
  if (hasInstalls) lines.push('USER root');
  if (inputs.aptPackages.length > 0) {
    lines.push(
      'RUN apt-get update' +
        ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${inputs.aptPackages.join(' ')}` +
        ' && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (inputs.python !== null) {
    lines.push(
      `COPY ${contextLayout.dependencies}/ /tmp/cove/`,
      `RUN --mount=type=cache,id=${inputs.uvCacheId},target=${uvCacheDir} ${installCommand(inputs.python)}`,
    );
  }
  if (hasInstalls) lines.push('USER app');
  // The code comes last and alone: every step after the first change is built again, so a push
  // that changes only code rebuilds this one step.
  lines.push(
    `ENV COVE_MAIN_FILE=${quoted(inputs.mainFile)}`,
    `COPY --chown=app:app ${contextLayout.repository}/ /app/`,
  );
  return `${lines.join('\n')}\n`;
}
