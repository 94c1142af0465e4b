import { expect, test } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi';

const documentShape = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({
    schemas: z.record(z.string(), z.object({ required: z.array(z.string()).optional() })),
  }),
});

test('lists every route of the API with schemas generated from the contracts', () => {
  const document = buildOpenApiDocument();
  expect(document.openapi).toBe('3.1.0');
  const text = JSON.stringify(document);
  expect(text).toContain('"/api/v1/apps/{name}/deployments/{id}/logs"');
  expect(text).toContain('"/api/v1/webhooks/{name}"');
  expect(text).not.toContain('"$schema"');
  // Every $ref points at a component that exists.
  const components = JSON.stringify(document.components);
  for (const [, name] of text.matchAll(/#\/components\/schemas\/(\w+)/g)) {
    expect(components).toContain(`"${name}":`);
  }
  // The request schema is the input form: defaults make fields optional.
  const parsed = documentShape.parse(document);
  expect(parsed.components.schemas.CreateAppRequestInput?.required).toEqual(['name']);
  expect(Object.keys(parsed.paths['/api/v1/apps'] ?? {}).sort()).toEqual(['get', 'post']);
});
