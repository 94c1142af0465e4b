// The `state` Cove sends along to GitHub's install page and expects back on the setup redirect:
// signed with a key derived from the master key, bound to the workspace and the person, short-lived.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CoveError } from '../errors';

export const connectStateLifetimeSeconds = 15 * 60;

const statePayload = z.object({
  workspaceId: z.uuid(),
  userId: z.uuid(),
  expiresAt: z.number().int(),
  nonce: z.string(),
});
export type ConnectState = z.infer<typeof statePayload>;

function stateKey(masterKey: string): Buffer {
  return createHmac('sha256', Buffer.from(masterKey, 'base64'))
    .update('cove github connect state v1')
    .digest();
}

function mac(masterKey: string, payload: string): Buffer {
  return createHmac('sha256', stateKey(masterKey)).update(payload).digest();
}

export function signConnectState(
  masterKey: string,
  who: { workspaceId: string; userId: string },
  now: Date = new Date(),
): string {
  const payload = Buffer.from(
    JSON.stringify({
      workspaceId: who.workspaceId,
      userId: who.userId,
      expiresAt: Math.floor(now.getTime() / 1000) + connectStateLifetimeSeconds,
      nonce: randomBytes(9).toString('base64url'),
    } satisfies ConnectState),
  ).toString('base64url');
  return `${payload}.${mac(masterKey, payload).toString('base64url')}`;
}

const invalidState = (reason: string) =>
  new CoveError(
    'forbidden',
    `The GitHub connection could not be confirmed: ${reason}. Start again from "Connect GitHub".`,
  );

/** The state's workspace and person, if it was signed here, is unexpired and names this caller. */
export function verifyConnectState(
  masterKeys: readonly string[],
  state: string,
  caller: { workspaceId: string; userId: string },
  now: Date = new Date(),
): ConnectState {
  const [payload = '', signature = ''] = state.split('.');
  const received = Buffer.from(signature, 'base64url');
  const isSigned = masterKeys.some((key) => {
    const expected = mac(key, payload);
    return received.length === expected.length && timingSafeEqual(received, expected);
  });
  if (!isSigned) throw invalidState('the link was not made by this Cove');
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const parsed = statePayload.safeParse(decoded);
  if (!parsed.success) throw invalidState('the link is damaged');
  if (parsed.data.expiresAt * 1000 <= now.getTime()) throw invalidState('the link has expired');
  if (parsed.data.workspaceId !== caller.workspaceId || parsed.data.userId !== caller.userId) {
    throw invalidState('it was started by another person or for another workspace');
  }
  return parsed.data;
}
