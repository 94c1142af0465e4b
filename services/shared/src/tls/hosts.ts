// Which names Cove holds certificates for: the dashboard's host and every app's host, or, when
// the operator gave a DNS hook, one wildcard for all the apps (issued over DNS-01).
import type { TlsChallengeType } from '../db/schema/tls';

export interface WantedCertificate {
  host: string;
  challengeType: TlsChallengeType;
}

export function wantedCertificates(input: {
  dashboardHost: string | null;
  appsDomain: string;
  appNames: readonly string[];
  hasDnsHook: boolean;
}): WantedCertificate[] {
  const domain = input.appsDomain.toLowerCase().replace(/\.$/, '');
  const wanted: WantedCertificate[] = [];
  if (input.dashboardHost !== null)
    wanted.push({ host: input.dashboardHost.toLowerCase(), challengeType: 'http-01' });
  if (input.hasDnsHook) {
    wanted.push({ host: `*.${domain}`, challengeType: 'dns-01' });
  } else {
    for (const name of [...input.appNames].sort())
      wanted.push({ host: `${name}.${domain}`, challengeType: 'http-01' });
  }
  return wanted;
}
