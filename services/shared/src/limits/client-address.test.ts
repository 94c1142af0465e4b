import { describe, expect, test } from 'vitest';
import {
  type AddressRange,
  parseAddressRange,
  rateLimitSubjectOf,
  resolveClientAddress,
} from './client-address';

function ranges(...entries: string[]): AddressRange[] {
  return entries.map((entry) => {
    const range = parseAddressRange(entry);
    if (!range) throw new Error(`bad range in test: ${entry}`);
    return range;
  });
}

describe('resolveClientAddress', () => {
  test('with no trusted proxy, the peer is the client whatever X-Forwarded-For says', () => {
    expect(resolveClientAddress('127.0.0.1', '198.51.100.7', [])).toBe('127.0.0.1');
    expect(resolveClientAddress('203.0.113.9', '10.0.0.1, 198.51.100.7', [])).toBe('203.0.113.9');
  });

  test("a trusted proxy's last entry is the client; entries left of it are the client's own", () => {
    const trusted = ranges('10.0.0.2');
    expect(resolveClientAddress('10.0.0.2', 'forged, 203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(resolveClientAddress('10.0.0.2', ['198.51.100.1', '203.0.113.9'], trusted)).toBe('203.0.113.9');
  });

  test('a chain of trusted proxies is walked from the right, up to the first untrusted hop', () => {
    const trusted = ranges('10.0.0.0/8');
    expect(resolveClientAddress('10.0.0.2', '198.51.100.1, 203.0.113.9, 10.1.1.1', trusted)).toBe(
      '203.0.113.9',
    );
  });

  test('a trusted proxy that sent no usable entry is itself the client', () => {
    const trusted = ranges('10.0.0.2');
    expect(resolveClientAddress('10.0.0.2', undefined, trusted)).toBe('10.0.0.2');
    expect(resolveClientAddress('10.0.0.2', 'not-an-address', trusted)).toBe('10.0.0.2');
    expect(resolveClientAddress('10.0.0.2', '127.1', trusted)).toBe('10.0.0.2');
  });

  test('an untrusted peer inside the chain stops it', () => {
    expect(resolveClientAddress('203.0.113.5', '10.0.0.2', ranges('10.0.0.2'))).toBe('203.0.113.5');
  });

  test('IPv4-mapped IPv6 peers count as their IPv4 address, and IPv6 ranges match IPv6', () => {
    expect(resolveClientAddress('::ffff:10.0.0.2', '203.0.113.9', ranges('10.0.0.2'))).toBe('203.0.113.9');
    expect(resolveClientAddress('fd00::5', '2001:db8::1', ranges('fd00::/8'))).toBe('2001:db8::1');
    expect(resolveClientAddress('fd00::5', '2001:db8::1', ranges('10.0.0.0/8'))).toBe('fd00::5');
  });

  test('an unknown peer is no address', () => {
    expect(resolveClientAddress(undefined, '203.0.113.9', ranges('10.0.0.2'))).toBeNull();
  });
});

describe('parseAddressRange', () => {
  test('takes addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(parseAddressRange('10.0.0.2')?.[1]).toBe(32);
    expect(parseAddressRange(' 172.16.0.0/12 ')?.[1]).toBe(12);
    expect(parseAddressRange('::1')?.[1]).toBe(128);
    expect(parseAddressRange('fd00::/8')?.[1]).toBe(8);
  });

  test('refuses names, odd address forms and impossible prefixes', () => {
    for (const entry of ['lb.lan', '127.1', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8x', '::/129']) {
      expect(parseAddressRange(entry)).toBeNull();
    }
  });
});

describe('rateLimitSubjectOf', () => {
  test('counts an IPv4 client by its address and an IPv6 one by its /64', () => {
    expect(rateLimitSubjectOf('203.0.113.9')).toBe('203.0.113.9');
    expect(rateLimitSubjectOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubjectOf('2001:db8:1:2:bbbb::9')).toBe(rateLimitSubjectOf('2001:db8:1:2:aaaa::1'));
    expect(rateLimitSubjectOf('2001:db8:1:3::1')).not.toBe(rateLimitSubjectOf('2001:db8:1:2::1'));
  });
});
