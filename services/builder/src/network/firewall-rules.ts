// Which iptables rules keep app containers off the host, its LAN, link-local (cloud metadata) and
// each other, while leaving them public destinations and DNS. Pure: network/firewall.ts applies it.
import { createHash } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { networkOf, subnetBounds } from '@cove/shared/network/ipv4';

/**
 * IPv4 destinations an app may not reach wherever the host is: private networks, carrier-grade NAT,
 * loopback, link-local with the 169.254.169.254 metadata service, "this network", multicast and
 * reserved/broadcast. The host's own subnets (its LAN, whatever its numbers) are added per host.
 * Documentation ranges stay open: some networks route real services through them.
 */
export const blockedIpv4Ranges = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

const repliesPass = ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'];
/** iptables refuses chain names longer than 28 characters. */
const maxChainNameLength = 28;

function shortHash(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * Cove's chains of one instance: one for forwarded traffic, one for traffic to the host itself, and
 * the refusal both end in.
 */
export function firewallChainNames(instance: string): { forward: string; input: string; refuse: string } {
  const readable = `COVE-${instance}`;
  const base = readable.length + 3 <= maxChainNameLength ? readable : `COVE-${shortHash(instance, 12)}`;
  return { forward: base, input: `${base}-IN`, refuse: `${base}-NO` };
}

/** Every app bridge of an instance starts with this, so one rule (`-i <prefix>+`) covers them all. */
export function appBridgePrefix(instance: string): string {
  return `cv${shortHash(instance, 5)}`;
}

/** The bridge interface of one app network: 15 characters, the most Linux allows. */
export function appBridgeName(instance: string, networkName: string): string {
  return `${appBridgePrefix(instance)}${shortHash(networkName, 8)}`;
}

export interface FirewallInput {
  instance: string;
  /** The resolvers Docker's embedded DNS forwards to, reachable on port 53 even when private. */
  nameservers: readonly string[];
  /** IPv4 addresses or CIDRs the operator lets apps reach although private (COVE_APP_FIREWALL_ALLOW). */
  allowedDestinations: readonly string[];
  /** The subnets of the host's interfaces (address/prefix): its LAN, even when numbered publicly. */
  hostSubnets: readonly string[];
  /** Bridges of app networks made before bridges were named by instance (`br-<id>`). */
  legacyBridges: readonly string[];
  /** Where forwarded traffic is hooked: DOCKER-USER where the engine made it, else FORWARD. */
  forwardHook: { ipv4: string; ipv6: string };
}

export interface ChainRules {
  name: string;
  rules: string[][];
}

export interface FamilyRules {
  /** Cove's own chains, each replaced whole on every install. */
  chains: ChainRules[];
  /** Jumps into them from the kernel's or the engine's chains, each inserted first when missing. */
  jumps: { chain: string; rule: string[] }[];
}

export interface FirewallRules {
  ipv4: FamilyRules;
  ipv6: FamilyRules;
}

function sourceMatches(input: FirewallInput): string[][] {
  return [
    ['-i', `${appBridgePrefix(input.instance)}+`],
    ...input.legacyBridges.map((bridge) => ['-i', bridge]),
  ];
}

function destinationBridgeMatches(input: FirewallInput): string[][] {
  return [
    ['-o', `${appBridgePrefix(input.instance)}+`],
    ...input.legacyBridges.map((bridge) => ['-o', bridge]),
  ];
}

function ipv4Host(address: string): string {
  return address.includes('/') ? address : `${address}/32`;
}

/** The host's subnets the fixed ranges do not cover already (Docker's bridges mostly are). */
function extraHostSubnets(hostSubnets: readonly string[]): string[] {
  const covered = new BlockList();
  for (const range of blockedIpv4Ranges) {
    const [network = '', bits = ''] = range.split('/');
    covered.addSubnet(network, Number.parseInt(bits, 10));
  }
  const subnets = [...new Set(hostSubnets.map(networkOf))];
  return subnets.filter((subnet) => {
    const [first = '', last = ''] = subnetBounds(subnet);
    return !(covered.check(first) && covered.check(last));
  });
}

/** DNS to the resolvers (loopback ones excepted: Docker does not forward to those). */
function dnsAllowances(nameservers: readonly string[]): string[][] {
  const usable = [...new Set(nameservers)].filter(
    (address) => isIPv4(address) && !address.startsWith('127.'),
  );
  return usable.flatMap((address) =>
    ['udp', 'tcp'].map((protocol) => [
      '-d',
      `${address}/32`,
      '-p',
      protocol,
      '--dport',
      '53',
      '-j',
      'RETURN',
    ]),
  );
}

/**
 * Refused, not dropped, so an app fails at once instead of hanging: a TCP reset (not rate-limited
 * like ICMP, which a burst of connections would run into), ICMP "administratively prohibited" else.
 */
function refusal(icmpType: string): string[][] {
  return [
    ['-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    ['-j', 'REJECT', '--reject-with', icmpType],
  ];
}

export function appFirewallRules(input: FirewallInput): FirewallRules {
  const chains = firewallChainNames(input.instance);
  const refuse = ['-j', chains.refuse];
  const allowances = [
    ...dnsAllowances(input.nameservers),
    ...input.allowedDestinations.map((destination) => ['-d', ipv4Host(destination), '-j', 'RETURN']),
  ];
  const ipv4Forward = [
    repliesPass,
    // Another app's network, even if its addresses were public.
    ...destinationBridgeMatches(input).map((match) => [...match, ...refuse]),
    ...allowances,
    ...[...blockedIpv4Ranges, ...extraHostSubnets(input.hostSubnets)].map((range) => [
      '-d',
      range,
      ...refuse,
    ]),
    // Anything else is public: back to DOCKER-USER, then Docker's own rules accept it.
  ];
  const ipv4Input = [repliesPass, ...allowances, refuse];
  // App networks are created without IPv6; should a container get an address anyway, it reaches
  // nothing but replies.
  const ipv6Only = [repliesPass, refuse];
  const jumpsTo = (forwardHook: string) =>
    sourceMatches(input).flatMap((match) => [
      { chain: forwardHook, rule: [...match, '-j', chains.forward] },
      { chain: 'INPUT', rule: [...match, '-j', chains.input] },
    ]);
  return {
    ipv4: {
      chains: [
        { name: chains.refuse, rules: refusal('icmp-admin-prohibited') },
        { name: chains.forward, rules: ipv4Forward },
        { name: chains.input, rules: ipv4Input },
      ],
      jumps: jumpsTo(input.forwardHook.ipv4),
    },
    ipv6: {
      chains: [
        { name: chains.refuse, rules: refusal('icmp6-adm-prohibited') },
        { name: chains.forward, rules: ipv6Only },
        { name: chains.input, rules: ipv6Only },
      ],
      jumps: jumpsTo(input.forwardHook.ipv6),
    },
  };
}

/**
 * The chains as iptables-restore input: with --noflush it creates or empties only these chains and
 * fills them in one transaction, so an app never sees a half-written chain.
 */
export function restoreScript(chains: readonly ChainRules[]): string {
  const lines = ['*filter', ...chains.map((chain) => `:${chain.name} - [0:0]`)];
  for (const chain of chains) {
    for (const rule of chain.rules) {
      const unsafe = rule.find((argument) => argument === '' || /\s/.test(argument));
      if (unsafe !== undefined)
        throw new Error(`Firewall rule argument ${JSON.stringify(unsafe)} is not a word`);
      lines.push(`-A ${chain.name} ${rule.join(' ')}`);
    }
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The `nameserver` lines of a resolv.conf. */
export function parseNameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === 'nameserver' && fields[1] !== undefined)
    .map((fields) => fields[1] ?? '');
}
