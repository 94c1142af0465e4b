// Where the answers to the CA's challenges go. HTTP-01: a Redis key per token, which every proxy
// replica reads on port 80. DNS-01: the operator's hook, a URL (POST /set-txt and /clear-txt with
// {"host": "_acme-challenge.<domain>.", "value": "..."}, the protocol of pebble-challtestsrv's
// management API) or a command (`<command> set|clear <fqdn> <value>`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { acmeTokenPattern, tlsKeys } from './keys';

const run = promisify(execFile);

/** An answer outlives any validation the CA makes of it; removed right after anyway. */
const http01AnswerTtlSeconds = 600;

export async function publishHttp01Answer(
  redis: Redis,
  instance: string,
  token: string,
  keyAuthorization: string,
): Promise<void> {
  if (!acmeTokenPattern.test(token)) throw new Error(`The CA sent a challenge token Cove refuses: ${token}`);
  await redis.set(tlsKeys(instance).http01Answer(token), keyAuthorization, 'EX', http01AnswerTtlSeconds);
}

export async function withdrawHttp01Answer(redis: Redis, instance: string, token: string): Promise<void> {
  if (!acmeTokenPattern.test(token)) return;
  await redis.del(tlsKeys(instance).http01Answer(token));
}

/** The key authorization for a token, or null (unknown or malformed token). */
export async function readHttp01Answer(
  redis: Redis,
  instance: string,
  token: string,
): Promise<string | null> {
  if (!acmeTokenPattern.test(token)) return null;
  return redis.get(tlsKeys(instance).http01Answer(token));
}

export interface DnsHook {
  setTxt(fqdn: string, value: string): Promise<void>;
  clearTxt(fqdn: string, value: string): Promise<void>;
}

const hookTimeoutMs = 30_000;

export function urlDnsHook(baseUrl: string): DnsHook {
  const call = async (path: string, fqdn: string, value: string) => {
    const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ host: fqdn, value }),
      signal: AbortSignal.timeout(hookTimeoutMs),
    });
    if (!response.ok) {
      throw new Error(
        `The DNS hook ${url.origin}${url.pathname} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    }
  };
  return {
    setTxt: (fqdn, value) => call('set-txt', fqdn, value),
    clearTxt: (fqdn, value) => call('clear-txt', fqdn, value),
  };
}

export function commandDnsHook(command: string): DnsHook {
  const call = async (action: 'set' | 'clear', fqdn: string, value: string) => {
    try {
      await run(command, [action, fqdn, value], { timeout: hookTimeoutMs });
    } catch (error) {
      const stderr =
        typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
      throw new Error(
        `The DNS hook command ${command} ${action} ${fqdn} failed: ${stderr.trim().slice(0, 200) || String(error)}`,
      );
    }
  };
  return {
    setTxt: (fqdn, value) => call('set', fqdn, value),
    clearTxt: (fqdn, value) => call('clear', fqdn, value),
  };
}
