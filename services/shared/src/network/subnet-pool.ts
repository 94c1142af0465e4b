// Where each app network's addresses come from: small subnets carved from one range Cove owns
// (COVE_APP_SUBNETS), instead of Docker's default pools, which hold only about 31 networks. A
// /16 in /28s holds 4096 app networks. Pure: the Docker runtime asks it, then creates the network.
import { type Cidr, cidrSize, cidrsOverlap, formatCidr, parseCidr } from './ipv4';

export interface SubnetPool {
  /** The range every app subnet is carved from, e.g. 10.213.0.0/16. */
  range: string;
  /** The prefix length of each app subnet, e.g. 28 (16 addresses: the gateway and 13 containers). */
  subnetBits: number;
}

/** Why the pool cannot work, in the operator's words; null when it can. */
export function subnetPoolProblem(pool: SubnetPool): string | null {
  let range: Cidr;
  try {
    range = parseCidr(pool.range);
  } catch {
    return `COVE_APP_SUBNETS "${pool.range}" is not an IPv4 CIDR (e.g. 10.213.0.0/16)`;
  }
  if (formatCidr(range) !== pool.range) {
    return `COVE_APP_SUBNETS "${pool.range}" is not the start of its block; did you mean ${formatCidr(range)}?`;
  }
  if (pool.subnetBits <= range.bits || pool.subnetBits > 29) {
    return `COVE_APP_SUBNET_BITS ${pool.subnetBits} must be longer than the range's /${range.bits} and at most 29 (a /29 holds the gateway and 5 containers)`;
  }
  return null;
}

/** A stable number for a name, so an app's network tends to get the same subnet each time. */
function nameHash(name: string): number {
  let hash = 2166136261;
  for (const character of name) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

/**
 * The pool's subnets no existing one overlaps (`taken`: every subnet the engine and the host
 * already use), in the order to try them: from a place the network's name picks, so networks made
 * at the same moment rarely race for the same subnet. Empty when the pool is full.
 */
export function freeSubnets(pool: SubnetPool, name: string, taken: readonly string[]): string[] {
  const range = parseCidr(pool.range);
  const count = cidrSize(range) / 2 ** (32 - pool.subnetBits);
  const step = 2 ** (32 - pool.subnetBits);
  const used = taken.flatMap((subnet) => {
    try {
      return [parseCidr(subnet)];
    } catch {
      return []; // IPv6 or malformed: cannot overlap an IPv4 pool
    }
  });
  const start = nameHash(name) % count;
  const free: string[] = [];
  for (let offset = 0; offset < count; offset += 1) {
    const candidate: Cidr = {
      network: range.network + ((start + offset) % count) * step,
      bits: pool.subnetBits,
    };
    if (!used.some((subnet) => cidrsOverlap(subnet, candidate))) free.push(formatCidr(candidate));
  }
  return free;
}
