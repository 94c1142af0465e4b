// Caps on what clients may hold open: a client address's connections (its WebSockets are among
// them), so one client cannot take the descriptors every tenant's visitors need.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@cove/shared/logs/logger';

export interface ConnectionLimits {
  /** Connections one address may hold open at once. */
  maxPerAddress: number;
  /** Addresses not counted (trusted front proxies: every visitor comes through them). */
  exemptAddresses: ReadonlySet<string>;
}

/** Counts each client address's open connections on `server` and closes those past the cap. */
export function limitConnectionsPerAddress(server: Server, limits: ConnectionLimits, logger: Logger): void {
  const openByAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (limits.exemptAddresses.has(address)) return;
    const open = openByAddress.get(address) ?? 0;
    if (open >= limits.maxPerAddress) {
      // Debug only: a client past its cap would otherwise write a log line per connection it opens.
      logger.debug(
        { address, maxPerAddress: limits.maxPerAddress },
        'connection over the per-address cap closed',
      );
      socket.destroy();
      return;
    }
    openByAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (openByAddress.get(address) ?? 1) - 1;
      if (left > 0) openByAddress.set(address, left);
      else openByAddress.delete(address);
    });
  });
}
