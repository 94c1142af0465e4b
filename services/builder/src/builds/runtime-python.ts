// Asks the runtime image which Python it has, once per image id: the image is the one source of
// truth, so moving to another base image (or offering several versions) changes nothing here.
import type { ContainerRuntime } from '../runtime/types';

const versionScript = "import sys; print('.'.join(str(part) for part in sys.version_info[:3]))";

export class RuntimePythonVersions {
  private readonly byImageId = new Map<string, Promise<string[]>>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly labels: Record<string, string>,
  ) {}

  /** Full versions the image offers, its default first. */
  async offered(image: string): Promise<string[]> {
    const imageId = await this.runtime.imageId(image);
    if (imageId === null) throw new Error(`The runtime image ${image} is not on this host`);
    let versions = this.byImageId.get(imageId);
    if (versions === undefined) {
      versions = this.ask(imageId);
      this.byImageId.set(imageId, versions);
      versions.catch(() => this.byImageId.delete(imageId));
    }
    return versions;
  }

  private async ask(imageId: string): Promise<string[]> {
    const result = await this.runtime.runCommand({
      image: imageId,
      command: ['python', '-c', versionScript],
      labels: this.labels,
      timeoutMs: 30_000,
    });
    const version = result.lines.map((line) => line.trim()).find((line) => /^\d+\.\d+\.\d+$/.test(line));
    if (result.exitCode !== 0 || version === undefined) {
      throw new Error(
        `The runtime image did not say which Python it has: ${result.lines.join(' ').slice(0, 300)}`,
      );
    }
    return [version];
  }
}

const perRuntime = new WeakMap<ContainerRuntime, RuntimePythonVersions>();

/** One cache per container runtime, so every build of a builder process shares it. */
export function runtimePythonVersions(
  runtime: ContainerRuntime,
  labels: Record<string, string>,
): RuntimePythonVersions {
  let versions = perRuntime.get(runtime);
  if (versions === undefined) {
    versions = new RuntimePythonVersions(runtime, labels);
    perRuntime.set(runtime, versions);
  }
  return versions;
}
