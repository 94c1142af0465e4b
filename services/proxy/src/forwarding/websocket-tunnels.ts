// The WebSockets open through the proxy: each pumps bytes between the browser and the app, and can
// be closed politely by stop() (a close frame with 1001 "going away" to the browser, which then
// reconnects) and, past the deadline, for good. An app that goes away without a close frame of its
// own (it crashed, or was killed when its drain after a swap ran out) leaves the browser a close
// frame with 1012 "service restart", as Streamlit's server sends when stopped, instead of an
// abnormal closure (1006); Streamlit's frontend reconnects on any close.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FrameBoundaryTracker, serverCloseFrame } from './websocket-frames';

const goingAway = 1001;
const serviceRestart = 1012;

class Tunnel {
  upstream: Socket | undefined;
  /** Follows the app-to-browser byte stream, which is what the close frame is spliced into. */
  readonly frames = new FrameBoundaryTracker();
  isClosing = false;

  constructor(readonly client: Duplex) {}

  /** Bytes from the app, read into a shared buffer: copied before they are kept. False: stop reading. */
  fromUpstream(bytes: Buffer): boolean {
    if (this.isClosing) return true;
    const chunk = Buffer.from(bytes);
    this.frames.push(chunk);
    if (this.client.write(chunk)) return true;
    // The browser reads slower than the app writes: read the app again once it caught up.
    const upstream = this.upstream;
    this.client.once('drain', () => upstream?.resume());
    return false;
  }

  /** The app's side closed: the browser gets a close frame if the app sent none, then the end. */
  endAfterUpstream(): void {
    const isCloseFrameOwed = !this.isClosing && !this.frames.hasCloseFrame;
    this.isClosing = true;
    this.client.removeListener('data', this.fromClient);
    // Half a frame already went out: a close frame now would corrupt it, so the end must do.
    if (isCloseFrameOwed && this.frames.isAtFrameBoundary && this.client.writable) {
      this.client.write(serverCloseFrame(serviceRestart, 'the app went away'));
    }
    // Read and drop the browser's close reply so its end of the connection can finish.
    this.client.resume();
    this.client.end();
  }

  /** Bytes from the browser go to the app as they come, held back while the app is behind. */
  readonly fromClient = (chunk: Buffer) => {
    const upstream = this.upstream;
    if (!upstream || upstream.write(chunk)) return;
    this.client.pause();
    upstream.once('drain', () => this.client.resume());
  };
}

export class WebSocketTunnels {
  private readonly tunnels = new Map<Duplex, Tunnel>();

  get openCount(): number {
    return this.tunnels.size;
  }

  /** Starts following a client socket whose upgrade is being proxied. */
  track(client: Duplex): void {
    this.tunnels.set(client, new Tunnel(client));
    client.once('close', () => this.tunnels.delete(client));
  }

  /**
   * The app accepted the upgrade: from here on bytes flow both ways, the browser's into the app
   * here, the app's through the returned tunnel's fromUpstream(). Either side ending ends the other.
   */
  join(client: Duplex, upstream: Socket): Tunnel | undefined {
    const tunnel = this.tunnels.get(client);
    if (!tunnel) return undefined;
    tunnel.upstream = upstream;
    client.on('data', tunnel.fromClient);
    client.once('end', () => upstream.end());
    client.once('close', () => upstream.end());
    upstream.once('close', () => tunnel.endAfterUpstream());
    return tunnel;
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
      tunnel.isClosing = true;
      client.removeListener('data', tunnel.fromClient);
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

export type { Tunnel };
