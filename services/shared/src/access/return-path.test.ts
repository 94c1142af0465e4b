import { describe, expect, it } from 'vitest';
import { accessPagePath, appOfAccessPath, safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it.each([
    ['/', '/'],
    ['/page', '/page'],
    ['/a/b?x=1&y=2', '/a/b?x=1&y=2'],
    ['/_stcore/health', '/_stcore/health'],
    ['/a/../b', '/b'],
    ['/with#fragment', '/with'],
  ])('keeps the same-site path %j as %j', (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['page'],
    ['//evil.example/'],
    ['/\\evil.example/'],
    ['\\\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\tevil'],
    ['/\n/evil.example'],
    [`/${'a'.repeat(3000)}`],
  ])('refuses %j', (value) => {
    expect(safeReturnPath(value)).toBe('/');
    expect(safeReturnPath(value, '/apps')).toBe('/apps');
  });
});

describe('appOfAccessPath', () => {
  it('reads the app of an access page path and nothing else', () => {
    expect(appOfAccessPath(accessPagePath('charts', '/?x=1'))).toBe('charts');
    expect(appOfAccessPath('/apps')).toBeUndefined();
    expect(appOfAccessPath('/access?app=Not_A_Name')).toBeUndefined();
    expect(appOfAccessPath('/access?return=/')).toBeUndefined();
  });
});
