import { buildOpenApiDocument } from '@cove/shared/contracts/openapi';

export function GET(): Response {
  return Response.json(buildOpenApiDocument());
}
