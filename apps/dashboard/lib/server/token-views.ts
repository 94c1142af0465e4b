// An API token as the API and the tokens page show it: dates as ISO strings, never the secret.
import type { ApiTokenSummary } from '@cove/shared/auth/api-tokens';
import type { ApiTokenView } from '@cove/shared/contracts/api';

const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export function toApiTokenView(token: ApiTokenSummary): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    expiresAt: isoOrNull(token.expiresAt),
  };
}
