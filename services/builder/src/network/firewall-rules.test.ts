import { BlockList } from 'node:net';
import { describe, expect, test } from 'vitest';
import {
  appBridgeName,
  appBridgePrefix,
  appFirewallRules,
  blockedIpv4Ranges,
  type FirewallInput,
  firewallChainNames,
  parseNameservers,
  restoreScript,
} from './firewall-rules';

const input: FirewallInput = {
  instance: 'prod',
  nameservers: ['10.255.255.53', '127.0.0.53', 'fd00::53'],
  allowedDestinations: ['10.20.0.0/16', '192.168.1.7'],
  hostSubnets: ['192.0.2.2/24', '192.0.2.9/24', '172.18.0.1/16'],
  legacyBridges: ['br-e8d4b35d06e3'],
  forwardHook: { ipv4: 'DOCKER-USER', ipv6: 'FORWARD' },
};
const rules = appFirewallRules(input);
const prefix = appBridgePrefix('prod');
const forward = rules.ipv4.chains.find((chain) => chain.name === 'COVE-prod')?.rules ?? [];
const refused = 'COVE-prod-NO';
const toHost = rules.ipv4.chains.find((chain) => chain.name === 'COVE-prod-IN')?.rules ?? [];

/** What a packet from an app to `destination` meets first in the forward chain (walked like iptables). */
function verdictFor(destination: string, protocol = 'tcp', port = 443): string {
  for (const rule of forward.slice(1)) {
    const target = rule[rule.indexOf('-j') + 1] ?? '';
    if (rule[0] === '-o') continue; // matches the out-interface, not the address
    const cidr = rule[rule.indexOf('-d') + 1] ?? '';
    const [network = '', bits = '32'] = cidr.split('/');
    const list = new BlockList();
    list.addSubnet(network, Number.parseInt(bits, 10));
    if (!list.check(destination)) continue;
    if (rule.includes('-p') && rule[rule.indexOf('-p') + 1] !== protocol) continue;
    if (rule.includes('--dport') && rule[rule.indexOf('--dport') + 1] !== String(port)) continue;
    return target;
  }
  return 'RETURN (end of chain: Docker accepts it)';
}

describe('the forward chain of app networks', () => {
  test('lets replies through first', () => {
    expect(forward[0]).toEqual(['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN']);
  });

  test.each([
    ['the LAN (10/8)', '10.1.2.3'],
    ['the LAN (172.16/12), other Docker networks', '172.18.0.5'],
    ['the LAN (192.168/16)', '192.168.0.10'],
    ['cloud metadata', '169.254.169.254'],
    ['link-local', '169.254.7.7'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['loopback', '127.0.0.1'],
    ["the host's LAN, even numbered outside the private ranges", '192.0.2.1'],
    ['multicast', '239.255.255.250'],
    ['broadcast', '255.255.255.255'],
  ])('rejects %s', (_, destination) => {
    expect(verdictFor(destination)).toBe(refused);
  });

  test.each([
    ['a public web server', '151.101.0.223'],
    ['a public resolver', '8.8.8.8'],
    ['just outside 172.16/12', '172.32.0.1'],
    ['just outside 100.64/10', '100.128.0.1'],
    ['a documentation range off the LAN (some networks route services there)', '203.0.113.80'],
  ])('lets %s through', (_, destination) => {
    expect(verdictFor(destination)).toBe('RETURN (end of chain: Docker accepts it)');
  });

  test('lets DNS to a private resolver through, and nothing else to it', () => {
    expect(verdictFor('10.255.255.53', 'udp', 53)).toBe('RETURN');
    expect(verdictFor('10.255.255.53', 'tcp', 53)).toBe('RETURN');
    expect(verdictFor('10.255.255.53', 'tcp', 22)).toBe(refused);
  });

  test('lets the destinations the operator allowed through', () => {
    expect(verdictFor('10.20.3.4')).toBe('RETURN');
    expect(verdictFor('192.168.1.7')).toBe('RETURN');
    expect(verdictFor('192.168.1.8')).toBe(refused);
  });

  test('ignores loopback and IPv6 resolvers (Docker does not forward to them)', () => {
    const text = forward.map((rule) => rule.join(' ')).join('\n');
    expect(text).not.toContain('127.0.0.53/32');
    expect(text).not.toContain('fd00');
  });

  test('rejects traffic into any app network of the instance, old bridges included', () => {
    const reject = ['-j', refused];
    expect(forward).toContainEqual(['-o', `${prefix}+`, ...reject]);
    expect(forward).toContainEqual(['-o', 'br-e8d4b35d06e3', ...reject]);
  });

  test("adds the host's subnets once, and only those the fixed ranges do not cover", () => {
    const destinations = forward.map((rule) => rule[rule.indexOf('-d') + 1]);
    expect(destinations.filter((destination) => destination === '192.0.2.0/24')).toHaveLength(1);
    expect(destinations).not.toContain('172.18.0.0/16');
  });

  test('covers every special-purpose range', () => {
    for (const range of blockedIpv4Ranges) expect(forward.some((rule) => rule.includes(range))).toBe(true);
  });
});

describe('the chain for traffic to the host itself', () => {
  test('lets replies and DNS through, then rejects everything', () => {
    expect(toHost[0]).toContain('RELATED,ESTABLISHED');
    expect(toHost).toContainEqual(['-d', '10.255.255.53/32', '-p', 'udp', '--dport', '53', '-j', 'RETURN']);
    expect(toHost.at(-1)).toEqual(['-j', refused]);
  });
});

test('refuses with a TCP reset, else ICMP administratively prohibited, in both families', () => {
  expect(rules.ipv4.chains[0]).toEqual({
    name: refused,
    rules: [
      ['-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'],
      ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
    ],
  });
  expect(rules.ipv6.chains[0]?.rules[1]).toEqual(['-j', 'REJECT', '--reject-with', 'icmp6-adm-prohibited']);
});

describe('hooks and IPv6', () => {
  test('hooks forwarded and host-bound traffic of the app bridges, and only theirs', () => {
    expect(rules.ipv4.jumps).toEqual([
      { chain: 'DOCKER-USER', rule: ['-i', `${prefix}+`, '-j', 'COVE-prod'] },
      { chain: 'INPUT', rule: ['-i', `${prefix}+`, '-j', 'COVE-prod-IN'] },
      { chain: 'DOCKER-USER', rule: ['-i', 'br-e8d4b35d06e3', '-j', 'COVE-prod'] },
      { chain: 'INPUT', rule: ['-i', 'br-e8d4b35d06e3', '-j', 'COVE-prod-IN'] },
    ]);
  });

  test('IPv6 from app bridges gets nothing but replies', () => {
    for (const chain of rules.ipv6.chains.slice(1)) {
      expect(chain.rules).toEqual([
        ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
        ['-j', refused],
      ]);
    }
    expect(rules.ipv6.jumps[0]).toEqual({ chain: 'FORWARD', rule: ['-i', `${prefix}+`, '-j', 'COVE-prod'] });
  });
});

describe('names', () => {
  test('bridge names fit Linux (15 characters) and share the instance prefix', () => {
    const name = appBridgeName('prod', 'cove-prod-app-8d80aa3a-c0db-4bfc-aafd-e425430da39e');
    expect(name).toHaveLength(15);
    expect(name.startsWith(prefix)).toBe(true);
    expect(appBridgeName('prod', 'cove-prod-app-other')).not.toBe(name);
    expect(appBridgePrefix('staging')).not.toBe(prefix);
  });

  test('chain names fit iptables (28 characters), readable when the instance is short', () => {
    expect(firewallChainNames('t-1a2b3c4d')).toEqual({
      forward: 'COVE-t-1a2b3c4d',
      input: 'COVE-t-1a2b3c4d-IN',
      refuse: 'COVE-t-1a2b3c4d-NO',
    });
    const long = firewallChainNames('a-very-long-instance-name-of-31c');
    expect(long.input.length).toBeLessThanOrEqual(28);
    expect(long.forward).toMatch(/^COVE-[0-9a-f]{12}$/);
  });
});

describe('restoreScript', () => {
  test('declares and fills only the given chains, in one transaction', () => {
    const script = restoreScript([{ name: 'COVE-x', rules: [['-d', '10.0.0.0/8', '-j', 'RETURN']] }]);
    expect(script).toBe('*filter\n:COVE-x - [0:0]\n-A COVE-x -d 10.0.0.0/8 -j RETURN\nCOMMIT\n');
  });

  test('refuses an argument that is not one word', () => {
    expect(() => restoreScript([{ name: 'COVE-x', rules: [['-d', '10.0.0.0/8 -j ACCEPT']] }])).toThrow(
      /is not a word/,
    );
  });
});

test('parseNameservers reads the nameserver lines', () => {
  expect(
    parseNameservers('# generated\nnameserver 10.255.255.53\nsearch lan\n nameserver  1.1.1.1 \n'),
  ).toEqual(['10.255.255.53', '1.1.1.1']);
});
