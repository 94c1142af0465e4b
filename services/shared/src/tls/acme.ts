// One certificate from an ACME CA through acme-client: the order, the challenge of the host's type
// (HTTP-01 answered by the proxy from Redis, DNS-01 through the operator's hook), the CSR with a
// fresh P-256 key, and the chain. The CA's reason for a refusal comes back in the error's message.
import { Agent, request } from 'node:https';
import * as acme from 'acme-client';
import type { Redis } from 'ioredis';
import type { TlsChallengeType } from '../db/schema/tls';
import { type DnsHook, publishHttp01Answer, withdrawHttp01Answer } from './challenges';

export interface AcmeAccount {
  directoryUrl: string;
  keyPem: string;
  /** Known once the account exists at the CA; acme-client creates it otherwise. */
  accountUrl: string | null;
  email: string | null;
}

export interface IssuedCertificate {
  certificatePem: string;
  keyPem: string;
  notBefore: Date;
  notAfter: Date;
  accountUrl: string;
}

export interface IssueOptions {
  account: AcmeAccount;
  /** The name on the certificate: a host, or `*.<domain>` (DNS-01 only). */
  host: string;
  challengeType: TlsChallengeType;
  redis: Redis;
  instance: string;
  dnsHook: DnsHook | null;
}

/**
 * Trust for the CA's own HTTPS (a private or test CA such as pebble); public CAs need none.
 * acme-client talks through one axios instance, so this is process-wide, set once at start.
 */
let caAgent: Agent | undefined;

export function trustAcmeServerCa(caPem: string | null): void {
  caAgent = caPem === null ? undefined : new Agent({ ca: caPem, keepAlive: false });
  acme.axios.defaults.httpsAgent = caAgent;
  // acme-client retries an unanswered request five times over 75 s, then loses its reason; Cove's
  // own backoff retries the whole order, so keep acme-client's short (it still honours Retry-After).
  Object.assign(acme.axios.defaults, {
    acmeSettings: { ...acmeSettingsOf(acme.axios.defaults), retryMaxAttempts: 2, retryDefaultDelay: 1 },
  });
}

function acmeSettingsOf(defaults: object): object {
  return 'acmeSettings' in defaults &&
    typeof defaults.acmeSettings === 'object' &&
    defaults.acmeSettings !== null
    ? defaults.acmeSettings
    : {};
}

/** Why the CA cannot be reached (null when it answers): named when acme-client lost the reason. */
export function probeCa(directoryUrl: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(directoryUrl, { agent: caAgent ?? false, timeout: 10_000 }, (response) => {
      response.resume();
      resolve(null);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => {
      const code = 'code' in error && typeof error.code === 'string' ? error.code : error.message;
      resolve(`Could not reach ${new URL(directoryUrl).origin}: ${code}`);
    });
    req.end();
  });
}

export function createAccountKeyPem(): Promise<string> {
  return acme.crypto.createPrivateEcdsaKey('P-256').then((key) => key.toString('utf8'));
}

/**
 * Plain words for what acme-client threw: its message carries the CA's problem detail. When a
 * request got no answer at all it throws a TypeError of its own: then the CA is probed for why.
 */
export async function acmeErrorReason(error: unknown, directoryUrl: string): Promise<string> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TypeError)
    return (await probeCa(directoryUrl)) ?? `The CA's answer was lost (${message})`;
  return message;
}

/** Registers the account key at the CA (or finds its account): the URL orders are signed with. */
export async function registerAccount(account: AcmeAccount): Promise<string> {
  const client = new acme.Client({ directoryUrl: account.directoryUrl, accountKey: account.keyPem });
  await client.createAccount({
    termsOfServiceAgreed: true,
    ...(account.email === null ? {} : { contact: [`mailto:${account.email}`] }),
  });
  return client.getAccountUrl();
}

/** The CA no longer knows the account (a CA that was reset): register again. */
export function isUnknownAccountError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /account/i.test(message) && /(not found|does not exist|no existing)/i.test(message);
}

export async function issueCertificate(options: IssueOptions): Promise<IssuedCertificate> {
  const { account, host, challengeType, redis, instance, dnsHook } = options;
  if (challengeType === 'dns-01' && dnsHook === null) {
    throw new Error(
      `${host} needs a DNS-01 challenge, but no DNS hook is configured (COVE_ACME_DNS_HOOK_URL or COVE_ACME_DNS_HOOK_COMMAND).`,
    );
  }
  const client = new acme.Client({
    directoryUrl: account.directoryUrl,
    accountKey: account.keyPem,
    ...(account.accountUrl === null ? {} : { accountUrl: account.accountUrl }),
    backoffAttempts: 10,
    backoffMin: 200,
    backoffMax: 3_000,
  });
  const keyBuffer = await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, keyBuffer);
  const dnsName = (authzIdentifier: string) => `_acme-challenge.${authzIdentifier.replace(/^\*\./, '')}.`;
  const certificatePem = await client.auto({
    csr,
    ...(account.email === null ? {} : { email: account.email }),
    termsOfServiceAgreed: true,
    challengePriority: [challengeType],
    // acme-client's own pre-check fetches port 80 and the system resolver; the CA's check is the one that counts.
    skipChallengeVerification: true,
    challengeCreateFn: async (authz, challenge, keyAuthorization) => {
      if (challenge.type === 'http-01')
        await publishHttp01Answer(redis, instance, challenge.token, keyAuthorization);
      else if (challenge.type === 'dns-01' && dnsHook)
        await dnsHook.setTxt(dnsName(authz.identifier.value), keyAuthorization);
      else throw new Error(`The CA offered no ${challengeType} challenge for ${host}`);
    },
    challengeRemoveFn: async (authz, challenge, keyAuthorization) => {
      if (challenge.type === 'http-01') await withdrawHttp01Answer(redis, instance, challenge.token);
      else if (challenge.type === 'dns-01' && dnsHook)
        await dnsHook.clearTxt(dnsName(authz.identifier.value), keyAuthorization);
    },
  });
  const info = acme.crypto.readCertificateInfo(certificatePem);
  return {
    certificatePem,
    keyPem: keyBuffer.toString('utf8'),
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    accountUrl: client.getAccountUrl(),
  };
}
