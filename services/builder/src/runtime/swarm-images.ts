// Images reach the nodes of a swarm through its registry: an image the builder's engine built is
// tagged into the registry, pushed once (later pushes send only new layers) and run by digest.
import type Docker from 'dockerode';
import { z } from 'zod';
import { labelKeys } from './types';

export interface RegistryAccess {
  /** host:port of the cluster's registry, as every node reaches it. */
  address: string;
  username?: string | undefined;
  password?: string | undefined;
}

export function registryAuth(registry: RegistryAccess) {
  return registry.username
    ? { username: registry.username, password: registry.password ?? '', serveraddress: registry.address }
    : { serveraddress: registry.address };
}

const pushEvent = z.object({
  error: z.string().optional(),
  aux: z.object({ Digest: z.string() }).optional(),
});

/** The repository of an app's images in the registry: by instance and app id, as the local tags. */
export function registryRepository(registry: RegistryAccess, labels: Record<string, string>): string {
  const instance = labels[labelKeys.instance] || 'cove';
  const app = labels[labelKeys.appId] || 'image';
  return `${registry.address}/cove-${instance}/${app}`.toLowerCase();
}

export function createImagePublisher(buildEngine: Docker, registry: RegistryAccess) {
  const published = new Map<string, string>();

  async function push(reference: string): Promise<string> {
    const stream = await buildEngine.getImage(reference).push({ authconfig: registryAuth(registry) });
    const events = await new Promise<unknown[]>((resolve, reject) => {
      buildEngine.modem.followProgress(stream, (error: Error | null, output: unknown[]) =>
        error ? reject(error) : resolve(output),
      );
    });
    let digest: string | null = null;
    for (const event of events) {
      const parsed = pushEvent.safeParse(event);
      if (!parsed.success) continue;
      if (parsed.data.error)
        throw new Error(`Pushing ${reference} to ${registry.address} failed: ${parsed.data.error}`);
      if (parsed.data.aux) digest = parsed.data.aux.Digest;
    }
    if (digest === null) throw new Error(`Pushing ${reference} to ${registry.address} gave no digest`);
    return digest;
  }

  return {
    /**
     * The reference nodes pull `image` by (`<registry>/<repository>@sha256:...`); pushed first when
     * the registry does not have it yet. An image already named by digest is taken as it is.
     */
    async publish(image: string, labels: Record<string, string>): Promise<string> {
      if (image.includes('@')) return image;
      const known = published.get(image);
      if (known) return known;
      const inspected = await buildEngine.getImage(image).inspect();
      const repository = registryRepository(registry, labels);
      const already = (inspected.RepoDigests ?? []).find((digest) => digest.startsWith(`${repository}@`));
      if (already) {
        published.set(image, already);
        return already;
      }
      const tag = inspected.Id.replace(/^sha256:/, '').slice(0, 16);
      await buildEngine.getImage(inspected.Id).tag({ repo: repository, tag });
      const digest = await push(`${repository}:${tag}`);
      const reference = `${repository}@${digest}`;
      published.set(image, reference);
      return reference;
    },
  };
}
