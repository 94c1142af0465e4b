// IPv4 CIDR arithmetic: what the firewall and the app subnet pool both need, on plain numbers.
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** The network's first address as a number (0 to 2^32 - 1). */
  network: number;
  bits: number;
}

export function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** An IPv4 CIDR (a plain address is a /32) as its network's first address and prefix length. */
export function parseCidr(cidr: string): Cidr {
  const [address = '', bitsText = '32'] = cidr.split('/');
  const bits = /^\d{1,2}$/.test(bitsText) ? Number.parseInt(bitsText, 10) : Number.NaN;
  if (!isIPv4(address) || !(bits >= 0 && bits <= 32)) throw new Error(`${cidr} is not an IPv4 CIDR`);
  const value = address.split('.').reduce((sum, octet) => sum * 256 + Number.parseInt(octet, 10), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (value & mask) >>> 0, bits };
}

export function formatCidr({ network, bits }: Cidr): string {
  return `${toAddress(network)}/${bits}`;
}

export function cidrSize({ bits }: Cidr): number {
  return 2 ** (32 - bits);
}

/** The first and last address of a CIDR. */
export function subnetBounds(cidr: string): [string, string] {
  const parsed = parseCidr(cidr);
  return [toAddress(parsed.network), toAddress(parsed.network + cidrSize(parsed) - 1)];
}

/** 192.0.2.2/24 -> 192.0.2.0/24 (iptables would mask it too, with a warning). */
export function networkOf(cidr: string): string {
  return formatCidr(parseCidr(cidr));
}

/** Aligned blocks either nest or are apart: they overlap when one holds the other's first address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const holds = (outer: Cidr, address: number) =>
    address >= outer.network && address < outer.network + cidrSize(outer);
  return holds(a, b.network) || holds(b, a.network);
}
