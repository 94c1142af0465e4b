// What the fenced install containers run, and what the dependency image is keyed on. Pure: the
// running is dependency-image.ts's.
import { createHash } from 'node:crypto';
import type { PythonInstall } from './dependencies/types';
import { dependencyContextFiles, requirementsPath } from './dockerfile';

/** Where the dependency files are copied in, and where the workspace's uv cache is mounted. */
export const installPaths = { dependencies: '/tmp/cove', uvCache: '/var/cache/cove-uv' } as const;

/**
 * The runtime image turns uv's cache off (UV_NO_CACHE) for what runs in the app's container; the
 * install turns it on, in the volume. The volume is another filesystem than /opt/venv, so uv copies
 * out of it rather than hard-linking. HOME is the build user's own (the image's is the app's).
 */
function uvEnvironment(buildHome: string): string[] {
  return [
    'NO_COLOR=1',
    'UV_NO_CACHE=0',
    `UV_CACHE_DIR=${installPaths.uvCache}`,
    'UV_LINK_MODE=copy',
    `HOME=${buildHome}`,
  ];
}

export interface PythonStep {
  command: string[];
  workingDir?: string;
}

/**
 * Runs `command` after emptying the workspace's uv cache when it holds more than `cacheMaxMb`:
 * each install may grow it only by what a build may write, so this bounds it across builds.
 */
function withCacheBound(cacheMaxMb: number, command: string[]): string[] {
  return [
    'sh',
    '-c',
    'dir=$1 max=$2; shift 2; used=$(du -s -m "$dir" | cut -f1); if [ "$used" -gt "$max" ]; then echo "The workspace\'s uv cache holds $used MB, more than $max (COVE_BUILD_CACHE_MAX_MB): emptying it."; UV_CACHE_DIR="$dir" uv cache clean --quiet; fi; exec "$@"',
    'bounded-cache',
    installPaths.uvCache,
    String(cacheMaxMb),
    ...command,
  ];
}

export function pythonInstallStep(python: PythonInstall, buildHome: string, cacheMaxMb: number): PythonStep {
  const step = uvStep(python, buildHome);
  return { ...step, command: withCacheBound(cacheMaxMb, step.command) };
}

function uvStep(python: PythonInstall, buildHome: string): PythonStep {
  const env = ['env', ...uvEnvironment(buildHome)];
  switch (python.kind) {
    case 'requirements':
      return {
        command: [
          ...env,
          'uv',
          'pip',
          'install',
          '--no-progress',
          '--python',
          '/opt/venv/bin/python',
          '-r',
          `${installPaths.dependencies}/${requirementsPath(python)}`,
        ],
      };
    case 'uv-lock':
      // --inexact keeps what the image has and the lock does not (Streamlit itself); the venv is
      // the image's, never one uv would download a Python for.
      return {
        command: [
          ...env,
          'UV_PROJECT_ENVIRONMENT=/opt/venv',
          'UV_PYTHON_DOWNLOADS=never',
          'uv',
          'sync',
          '--frozen',
          '--inexact',
          '--no-install-project',
          '--no-progress',
        ],
        workingDir: installPaths.dependencies,
      };
    default: {
      const unknownKind: never = python;
      throw new Error(`Unknown install ${JSON.stringify(unknownKind)}`);
    }
  }
}

/** apt-get with the package names as arguments (never pasted into the shell script). */
export function aptInstallCommand(packages: readonly string[]): string[] {
  return [
    'sh',
    '-c',
    'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" && rm -rf /var/lib/apt/lists/*',
    'apt-install',
    ...packages,
  ];
}

/**
 * What apt-get needs as root: owning and moving files, and dropping to its `_apt` user to download.
 * Not NET_RAW, MKNOD, SYS_CHROOT or AUDIT_WRITE, which Docker would otherwise grant.
 */
export const aptCapabilities = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'SETUID',
  'SETGID',
  'KILL',
] as const;

/** Bump when what an install step does changes, so old dependency images are not reused. */
const installVersion = 1;

/**
 * The dependency image's key: the runtime image, the workspace (a package built from source runs
 * its code in the install, so one workspace's result never serves another), the Debian packages and
 * the dependency files. The same key means the same install.
 */
export function dependencyKey(inputs: {
  runtimeImageId: string;
  workspaceId: string;
  aptPackages: readonly string[];
  python: PythonInstall | null;
}): string {
  const files = dependencyContextFiles(inputs.python);
  const described = JSON.stringify({
    installVersion,
    runtimeImageId: inputs.runtimeImageId,
    workspaceId: inputs.workspaceId,
    aptPackages: inputs.aptPackages,
    python: inputs.python?.kind ?? null,
    files: Object.keys(files)
      .sort()
      .map((name) => [name, files[name]]),
  });
  return createHash('sha256').update(described).digest('hex');
}
