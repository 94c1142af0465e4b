import { describe, expect, it } from 'vitest';
import { appNameFromHost } from './host';

describe('appNameFromHost', () => {
  it.each([
    ['hello.localhost', 'hello'],
    ['hello.localhost:4080', 'hello'],
    ['Hello.LocalHost:4080', 'hello'],
    ['my-app-2.localhost', 'my-app-2'],
    ['hello.localhost.', 'hello'],
    ['  hello.localhost  ', 'hello'],
  ])('reads %j as %j', (host, name) => {
    expect(appNameFromHost(host, 'localhost')).toBe(name);
  });

  it.each([
    [undefined],
    [''],
    ['localhost'],
    ['localhost:4080'],
    ['a.b.localhost'],
    ['.localhost'],
    ['-hello.localhost'],
    ['hello-.localhost'],
    ['hel_lo.localhost'],
    ['hello.example.com'],
    ['hellolocalhost'],
    ['127.0.0.1:4080'],
    ['[::1]:4080'],
    ['hello.localhost:4080@evil.example'],
    ['hello.localhost:'],
    ['hello.localhost:80:80'],
    ['hello.localhost:x'],
  ])('finds no app in %j', (host) => {
    expect(appNameFromHost(host, 'localhost')).toBeNull();
  });

  it('works with a multi-label apps domain', () => {
    expect(appNameFromHost('sales.apps.example.com:443', 'apps.example.com')).toBe('sales');
    expect(appNameFromHost('apps.example.com', 'apps.example.com')).toBeNull();
    expect(appNameFromHost('x.sales.apps.example.com', 'Apps.Example.com')).toBeNull();
    expect(appNameFromHost('evilapps.example.com', 'apps.example.com')).toBeNull();
  });
});
