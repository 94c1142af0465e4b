// Accounts: sign-up (a user, their workspace and an owner membership), sign-in, browser sessions
// (API tokens: api-tokens.ts). Secrets given to clients are random tokens; only their SHA-256 is stored.
import { and, asc, eq, gt, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { type MemberRole, memberships, sessions, users, workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords';
import { generateToken, hashToken } from './tokens';

export const sessionLifetimeMs = 30 * 24 * 3600 * 1000;

export interface UserSummary {
  id: string;
  email: string;
  /** Whether the account proved its address (email-verification.ts); only then do access lists count it. */
  isEmailVerified: boolean;
}
export interface WorkspaceSummary {
  id: string;
  name: string;
}

/** Who is calling, and in which workspace: every tenant query takes this workspaceId. */
export interface Principal {
  userId: string;
  workspaceId: string;
  role: MemberRole;
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function workspaceNameFor(email: string): string {
  const local = email.split('@')[0] ?? email;
  return `${local}'s workspace`;
}

const alreadyTaken = 'An account with this email already exists. Sign in instead.';

/**
 * A new account with its own workspace. An address only an unverified account names is not taken:
 * whoever verifies it first keeps it, so signing up first with someone else's address blocks nobody.
 */
export async function signUp(
  db: Database,
  input: { email: string; password: string },
): Promise<{ user: UserSummary; workspace: WorkspaceSummary }> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const [verifiedHolder] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), isNotNull(users.emailVerifiedAt)));
  if (verifiedHolder) throw new CoveError('conflict', alreadyTaken, { fields: { email: alreadyTaken } });
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, passwordHash })
      .returning({ id: users.id, email: users.email });
    const [workspace] = await tx
      .insert(workspaces)
      .values({ name: workspaceNameFor(email) })
      .returning({ id: workspaces.id, name: workspaces.name });
    if (!user || !workspace) throw new Error('insert returned no row');
    await tx.insert(memberships).values({ workspaceId: workspace.id, userId: user.id, role: 'owner' });
    return { user: { ...user, isEmailVerified: false }, workspace };
  });
}

/**
 * Checks the password; the same message (and about the same time) whether the email exists or not.
 * Once an account verified the address, only that account signs in with it; before, each unverified
 * account that names it signs in with its own password.
 */
export async function signIn(
  db: Database,
  input: { email: string; password: string },
): Promise<{ user: UserSummary; workspace: WorkspaceSummary }> {
  const email = normaliseEmail(input.email);
  const holders = await db
    .select()
    .from(users)
    .where(eq(users.email, email))
    .orderBy(asc(users.createdAt), asc(users.id));
  const verified = holders.find((holder) => holder.emailVerifiedAt !== null);
  const candidates = verified ? [verified] : holders;
  let user: (typeof holders)[number] | undefined;
  for (const candidate of candidates) {
    if (await verifyPassword(input.password, candidate.passwordHash)) {
      user = candidate;
      break;
    }
  }
  if (candidates.length === 0) await verifyPassword(input.password, await decoyPasswordHash());
  if (!user) {
    throw new CoveError('unauthenticated', 'The email or password is not right. Check both and try again.');
  }
  const workspace = await primaryWorkspace(db, user.id);
  return {
    user: { id: user.id, email: user.email, isEmailVerified: user.emailVerifiedAt !== null },
    workspace,
  };
}

export async function setPassword(db: Database, userId: string, password: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(password) })
    .where(eq(users.id, userId));
}

/** The workspace a user lands in: the oldest membership. */
async function primaryWorkspace(db: Database, userId: string): Promise<WorkspaceSummary> {
  const [row] = await db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt)
    .limit(1);
  if (!row)
    throw new CoveError('forbidden', 'This account belongs to no workspace. Ask an owner to add you.');
  return row;
}

export async function getAccount(
  db: Database,
  principal: Principal,
): Promise<{ user: UserSummary; workspace: WorkspaceSummary }> {
  const [row] = await db
    .select({
      userId: users.id,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
    })
    .from(users)
    .innerJoin(workspaces, eq(workspaces.id, principal.workspaceId))
    .where(eq(users.id, principal.userId));
  if (!row) throw new CoveError('unauthenticated', 'Your session has ended. Sign in again.');
  return {
    user: { id: row.userId, email: row.email, isEmailVerified: row.emailVerifiedAt !== null },
    workspace: { id: row.workspaceId, name: row.workspaceName },
  };
}

/** The role of a user in a workspace, or null when they are not a member (any more). */
export async function roleIn(db: Database, workspaceId: string, userId: string): Promise<MemberRole | null> {
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return membership?.role ?? null;
}

export async function createSession(
  db: Database,
  input: { userId: string; workspaceId: string },
  now: Date = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs);
  await db.insert(sessions).values({ id: hashToken(token), ...input, expiresAt });
  return { token, expiresAt };
}

export async function resolveSession(
  db: Database,
  token: string,
  now: Date = new Date(),
): Promise<Principal | null> {
  const [session] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, hashToken(token)), gt(sessions.expiresAt, now)));
  if (!session) return null;
  const role = await roleIn(db, session.workspaceId, session.userId);
  return role === null ? null : { userId: session.userId, workspaceId: session.workspaceId, role };
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, hashToken(token)));
}
