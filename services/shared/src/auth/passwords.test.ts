import { expect, test } from 'vitest';
import { hashPassword, verifyPassword } from './passwords';

const fast = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

test('verifies the right password and refuses a wrong one', async () => {
  const hash = await hashPassword('correct horse battery', fast);
  expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
  expect(await verifyPassword('correct horse battery', hash)).toBe(true);
  expect(await verifyPassword('correct horse battery!', hash)).toBe(false);
});

test('salts every hash', async () => {
  expect(await hashPassword('same password', fast)).not.toBe(await hashPassword('same password', fast));
});

test('uses N=2^15, r=8, p=1 by default', async () => {
  const hash = await hashPassword('default parameters');
  expect(hash.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
  expect(await verifyPassword('default parameters', hash)).toBe(true);
});

test('refuses malformed or tampered hashes', async () => {
  const hash = await hashPassword('pw', fast);
  expect(await verifyPassword('pw', 'not a hash')).toBe(false);
  expect(await verifyPassword('pw', hash.replace('$1024$', '$1023$'))).toBe(false);
  expect(await verifyPassword('pw', `${hash.slice(0, -4)}AAA=`)).toBe(false);
});
