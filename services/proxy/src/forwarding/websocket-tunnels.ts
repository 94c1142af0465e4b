// The WebSockets open through the proxy, so stop() can close them politely (a close frame with
// 1001 "going away" to the browser, which then reconnects) and, past the deadline, for good.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FrameBoundaryTracker, serverCloseFrame } from './websocket-frames';

interface Tunnel {
  client: Duplex;
  upstream?: Socket;
  /** Follows the upstream-to-client byte stream, which is what the close frame is spliced into. */
  frames: FrameBoundaryTracker;
}

const goingAway = 1001;

export class WebSocketTunnels {
  private readonly tunnels = new Map<Duplex, Tunnel>();

  get openCount(): number {
    return this.tunnels.size;
  }

  /** Starts following a client socket whose upgrade is being proxied. */
  track(client: Duplex): void {
    this.tunnels.set(client, { client, frames: new FrameBoundaryTracker() });
    client.once('close', () => this.tunnels.delete(client));
  }

  /** Called when the app accepted the upgrade: from here on, bytes flow both ways. */
  attachUpstream(client: Duplex, upstream: Socket): void {
    const tunnel = this.tunnels.get(client);
    if (!tunnel) return;
    tunnel.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => tunnel.frames.push(chunk));
  }

  isUpgraded(client: Duplex): boolean {
    return this.tunnels.get(client)?.upstream !== undefined;
  }

  /** Tells every browser the server is going away and ends both sides of each tunnel. */
  closeAllPolitely(reason: string): void {
    for (const tunnel of this.tunnels.values()) {
      const { client, upstream } = tunnel;
      if (!upstream) {
        client.destroy();
        continue;
      }
      upstream.unpipe(client);
      client.unpipe(upstream);
      upstream.removeAllListeners('data');
      if (tunnel.frames.isAtFrameBoundary && client.writable) {
        client.write(serverCloseFrame(goingAway, reason));
      }
      // Read and drop the browser's close reply so its end of the connection can finish.
      client.resume();
      client.end();
      upstream.end();
    }
  }

  destroyAll(): void {
    for (const { client, upstream } of this.tunnels.values()) {
      client.destroy();
      upstream?.destroy();
    }
    this.tunnels.clear();
  }
}
