// API tokens: created by a signed-in person for themselves in one workspace, listed without their
// secret, revoked by deleting the row. Only the SHA-256 of a token is stored.
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { type ApiTokenScope, apiTokens } from '../db/schema/identity';
import { CoveError } from '../errors';
import { type Principal, roleIn } from './accounts';
import { generateToken, hashToken } from './tokens';

const dayMs = 24 * 3600 * 1000;

export interface ApiTokenSummary {
  id: string;
  name: string;
  scope: ApiTokenScope;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/** A caller authenticated by a token: who, and what the token allows. */
export interface TokenPrincipal extends Principal {
  tokenId: string;
  scope: ApiTokenScope;
}

export async function createApiToken(
  db: Database,
  input: {
    workspaceId: string;
    userId: string;
    name: string;
    scope?: ApiTokenScope;
    /** Null or absent: the token does not expire. */
    expiresInDays?: number | null;
  },
  now: Date = new Date(),
): Promise<{ id: string; name: string; scope: ApiTokenScope; expiresAt: Date | null; token: string }> {
  const token = generateToken();
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * dayMs) : null;
  const [row] = await db
    .insert(apiTokens)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId,
      name: input.name,
      scope: input.scope ?? 'full',
      expiresAt,
      tokenHash: hashToken(token),
    })
    .returning({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      expiresAt: apiTokens.expiresAt,
    });
  if (!row) throw new Error('insert returned no row');
  return { ...row, token };
}

/** The caller's own tokens in the caller's workspace, newest first; never the secrets. */
export function listApiTokens(db: Database, principal: Principal): Promise<ApiTokenSummary[]> {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, principal.workspaceId), eq(apiTokens.userId, principal.userId)))
    .orderBy(desc(apiTokens.createdAt));
}

/** Deletes one of the caller's tokens; it stops working at once. 404 for anyone else's. */
export async function revokeApiToken(db: Database, principal: Principal, tokenId: string): Promise<void> {
  const deleted = await db
    .delete(apiTokens)
    .where(
      and(
        eq(apiTokens.id, tokenId),
        eq(apiTokens.workspaceId, principal.workspaceId),
        eq(apiTokens.userId, principal.userId),
      ),
    )
    .returning({ id: apiTokens.id });
  if (deleted.length === 0) {
    throw new CoveError('not_found', 'There is no such API token of yours in this workspace.');
  }
}

/** The token's caller, or null when it is unknown, expired, or its owner left the workspace. */
export async function resolveApiToken(
  db: Database,
  token: string,
  now: Date = new Date(),
): Promise<TokenPrincipal | null> {
  const [row] = await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    )
    .returning({
      tokenId: apiTokens.id,
      userId: apiTokens.userId,
      workspaceId: apiTokens.workspaceId,
      scope: apiTokens.scope,
    });
  if (!row) return null;
  const role = await roleIn(db, row.workspaceId, row.userId);
  return role === null ? null : { ...row, role };
}
