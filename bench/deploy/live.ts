// "Live" for the deploy benchmark: the version's marker file answers at the app's address. Through
// Cove's proxy that needs a Host header, which fetch cannot set, hence node:http.
import { request } from 'node:http';
import { sleep } from '../lib/wait';
import { markerPath } from './apps';

export interface AppAddress {
  port: number;
  /** The Host header to send (the app's subdomain for the proxy); none for a direct port. */
  host?: string;
}

/** The body of GET markerPath, or null on any error or non-200 answer. */
export function readMarker(address: AppAddress): Promise<string | null> {
  return new Promise((resolve) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: address.port,
        path: markerPath,
        headers: address.host ? { host: address.host } : {},
        timeout: 2_000,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve(response.statusCode === 200 ? Buffer.concat(chunks).toString('utf8').trim() : null),
        );
        response.on('error', () => resolve(null));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve(null));
    outgoing.end();
  });
}

/** Polls every 50 ms until the marker answers; returns the milliseconds since startedAt. */
export async function waitForMarker(
  address: () => AppAddress | null | Promise<AppAddress | null>,
  marker: string,
  startedAt: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = startedAt + timeoutMs;
  for (;;) {
    const current = await address();
    if (current !== null && (await readMarker(current)) === marker) return Date.now() - startedAt;
    if (Date.now() > deadline) {
      throw new Error(`The marker "${marker}" did not answer within ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(50);
  }
}
