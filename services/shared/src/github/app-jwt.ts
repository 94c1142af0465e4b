// The JSON Web Token a GitHub App signs to call the API as itself (RS256): issued 60 s in the past
// against clock drift, expiring within GitHub's 10-minute limit.
import { type KeyObject, sign } from 'node:crypto';

export const appJwtBackdateSeconds = 60;
export const appJwtLifetimeSeconds = 9 * 60;

function base64Url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export function createAppJwt(appId: string, privateKey: KeyObject, now: Date = new Date()): string {
  const issuedAt = Math.floor(now.getTime() / 1000) - appJwtBackdateSeconds;
  const header = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64Url(
    JSON.stringify({ iat: issuedAt, exp: issuedAt + appJwtLifetimeSeconds, iss: appId }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64Url(signature)}`;
}
