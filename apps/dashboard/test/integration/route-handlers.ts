// Every route handler the dashboard serves under app/api/v1, found on disk, keyed "POST /apps/[name]/wake".
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export type Handler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

const apiRoot = path.resolve(import.meta.dirname, '../../app/api/v1');
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** "POST /apps/[name]/wake" for every exported handler of every route.ts under app/api/v1. */
export async function routesOnDisk(): Promise<Map<string, Handler>> {
  const found = new Map<string, Handler>();
  const files = (await readdir(apiRoot, { recursive: true })).filter((file) => file.endsWith('route.ts'));
  for (const file of files) {
    const routePath = `/${path.dirname(file)}`.replace(/\/\.$/, '');
    const module: Record<string, unknown> = await import(path.join(apiRoot, file));
    for (const method of methods) {
      const handler = module[method];
      if (typeof handler === 'function') found.set(`${method} ${routePath}`, handler as Handler);
    }
  }
  return found;
}

/** The on-disk key of a route of the OpenAPI route table: "GET /apps/{name}" -> "GET /apps/[name]". */
export function diskKeyOf(route: { method: string; path: string }): string {
  return `${route.method.toUpperCase()} ${route.path.replace(/\{(\w+)\}/g, '[$1]')}`;
}
