import { describe, expect, test } from 'vitest';
import { exitCodeForStatus, exitCodes } from './exit-codes';

describe('exitCodeForStatus', () => {
  test.each([
    [400, exitCodes.usage],
    [401, exitCodes.notSignedIn],
    [403, exitCodes.refused],
    [404, exitCodes.notFound],
    [409, exitCodes.refused],
    [413, exitCodes.refused],
    [422, exitCodes.refused],
    [429, exitCodes.refused],
    [500, exitCodes.serverOrNetwork],
    [502, exitCodes.serverOrNetwork],
    [503, exitCodes.serverOrNetwork],
  ])('HTTP %i exits %i', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });

  test('the codes are distinct, so a script can tell every case apart', () => {
    const values = Object.values(exitCodes);
    expect(new Set(values).size).toBe(values.length);
  });
});
