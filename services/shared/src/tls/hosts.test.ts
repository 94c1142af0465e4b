import { describe, expect, it } from 'vitest';
import { wantedCertificates } from './hosts';

describe('wantedCertificates', () => {
  it('asks for the dashboard and each app over HTTP-01 without a DNS hook', () => {
    expect(
      wantedCertificates({
        dashboardHost: 'Cove.Example.com',
        appsDomain: 'apps.example.net.',
        appNames: ['b', 'a'],
        hasDnsHook: false,
      }),
    ).toEqual([
      { host: 'cove.example.com', challengeType: 'http-01' },
      { host: 'a.apps.example.net', challengeType: 'http-01' },
      { host: 'b.apps.example.net', challengeType: 'http-01' },
    ]);
  });

  it('asks for one wildcard over DNS-01 with a DNS hook', () => {
    expect(
      wantedCertificates({
        dashboardHost: null,
        appsDomain: 'apps.example.net',
        appNames: ['a'],
        hasDnsHook: true,
      }),
    ).toEqual([{ host: '*.apps.example.net', challengeType: 'dns-01' }]);
  });
});
