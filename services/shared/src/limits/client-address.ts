// Which address a request came from, for per-address limits. The connection's peer is the only
// address a client cannot choose; X-Forwarded-For counts only as far as it was written by front
// proxies the operator named (COVE_DASHBOARD_TRUSTED_PROXIES), read from the right.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** An address or a range the operator trusts to tell the client's address (`10.0.0.2`, `10.0.0.0/8`). */
export type AddressRange = [Address, number];

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.2`, as a dual-stack socket reports) is its IPv4 one. */
function parseAddress(text: string): Address | null {
  const trimmed = text.trim();
  return isIP(trimmed) === 0 ? null : ipaddr.process(trimmed);
}

/** Null unless `entry` is a plain IP address or a CIDR range. */
export function parseAddressRange(entry: string): AddressRange | null {
  const trimmed = entry.trim();
  const slash = trimmed.indexOf('/');
  const address = parseAddress(slash === -1 ? trimmed : trimmed.slice(0, slash));
  if (!address) return null;
  const maxBits = address.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return [address, maxBits];
  const bitsText = trimmed.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > maxBits) return null;
  return [address, bits];
}

function isInRanges(address: Address, ranges: readonly AddressRange[]): boolean {
  return ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
}

/**
 * The client's address: the socket's peer, or, while that peer is a trusted proxy, the entry it
 * appended to X-Forwarded-For, and so on leftwards. Entries further left were written by someone
 * the operator does not vouch for and are never read. Null when the peer is unknown.
 */
export function resolveClientAddress(
  peerAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trustedProxies: readonly AddressRange[],
): string | null {
  let current = peerAddress === undefined ? null : parseAddress(peerAddress);
  if (!current) return null;
  const header = typeof forwardedFor === 'string' ? forwardedFor : (forwardedFor ?? []).join(',');
  const hops = header
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  while (isInRanges(current, trustedProxies)) {
    const hop = hops.pop();
    // A trusted proxy that wrote no entry, or one that is not an address, vouches for nothing more.
    const next = hop === undefined ? null : parseAddress(hop);
    if (!next) break;
    current = next;
  }
  return current.toString();
}

/**
 * What one client is counted as: its IPv4 address, or its IPv6 /64, which a single host or
 * subscriber usually holds whole (so rotating through it does not reset the count).
 */
export function rateLimitSubjectOf(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed) return address;
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`);
  return `${prefix.toString()}/64`;
}
