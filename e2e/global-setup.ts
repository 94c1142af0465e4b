// Before the journeys: the host's end of the browser's network (browser-network/relay.ts), carrying
// the dashboard's and the apps' ports into the namespace Chromium runs in.
import { relayDirVariable, relayPortsVariable, startHostRelay } from './browser-network/relay';
import { platform } from './platform';

function portOf(url: string): number {
  const parsed = new URL(url);
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const ports = [...new Set([portOf(platform.dashboardUrl), portOf(platform.appUrl('app'))])];
  const relay = await startHostRelay(ports);
  process.env[relayDirVariable] = relay.dir;
  process.env[relayPortsVariable] = ports.join(',');
  return () => relay.close();
}
