import { expect, test } from 'vitest';
import { cidrsOverlap, networkOf, parseCidr } from './ipv4';

test('networkOf gives the network of an interface address', () => {
  expect(networkOf('192.0.2.2/24')).toBe('192.0.2.0/24');
  expect(networkOf('10.231.7.130/30')).toBe('10.231.7.128/30');
  expect(networkOf('8.8.8.8/32')).toBe('8.8.8.8/32');
  expect(networkOf('8.8.8.8')).toBe('8.8.8.8/32');
  expect(networkOf('1.2.3.4/0')).toBe('0.0.0.0/0');
  expect(() => networkOf('300.1.1.1/8')).toThrow(/not an IPv4 CIDR/);
  expect(() => networkOf('10.0.0.0/x')).toThrow(/not an IPv4 CIDR/);
});

test('blocks overlap when one holds the other', () => {
  const overlap = (a: string, b: string) => cidrsOverlap(parseCidr(a), parseCidr(b));
  expect(overlap('10.213.0.0/16', '10.213.4.16/28')).toBe(true);
  expect(overlap('10.213.4.16/28', '10.213.0.0/16')).toBe(true);
  expect(overlap('10.213.4.16/28', '10.213.4.16/28')).toBe(true);
  expect(overlap('10.213.4.16/28', '10.213.4.32/28')).toBe(false);
  expect(overlap('172.17.0.0/16', '10.213.0.0/16')).toBe(false);
  expect(overlap('0.0.0.0/0', '255.255.255.255/32')).toBe(true);
});
