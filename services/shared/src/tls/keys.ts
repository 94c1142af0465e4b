// Redis keys of the TLS parts: the certificates every proxy replica serves (a copy of Postgres
// that the certificate manager rewrites, keys still encrypted), the channel that says which host
// changed, the HTTP-01 answers any replica gives the CA, and the lock of one issuance.

export function tlsKeys(instance: string) {
  return {
    certificates: `cove:${instance}:tls:certificates`,
    channel: `cove:${instance}:tls:changed`,
    http01Answer: (token: string) => `cove:${instance}:tls:http01:${token}`,
    issuanceLock: (host: string) => `cove:${instance}:tls:lock:${host}`,
  };
}

/** The cipher context of a certificate's private key: bound to its host, platform-owned. */
export function certificateKeyContext(host: string) {
  return { workspaceId: 'platform', appId: host, purpose: 'tls-certificate-key' };
}

/** The cipher context of the ACME account key at one CA. */
export function accountKeyContext(directoryUrl: string) {
  return { workspaceId: 'platform', appId: directoryUrl, purpose: 'acme-account-key' };
}

/** Only token characters ACME allows (base64url), so a path cannot name another key. */
export const acmeTokenPattern = /^[A-Za-z0-9_-]{1,128}$/;
export const acmeChallengePathPrefix = '/.well-known/acme-challenge/';
