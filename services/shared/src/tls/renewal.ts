// When a host's certificate is (re)issued: at once when it has none, once a fraction of its
// lifetime is left (a third by default, as Let's Encrypt advises: 30 of 90 days), and after a
// failure only once its backoff has passed. Pure, so the table of cases is the test.

export interface CertificateState {
  notBefore: Date | null;
  notAfter: Date | null;
  failedAttempts: number;
  nextAttemptAt: Date | null;
}

export interface RenewalPolicy {
  /** Renew once less than this fraction of the certificate's lifetime remains (0 < f < 1). */
  renewWhenRemainingFraction: number;
}

export type CertificateDecision =
  | { action: 'issue'; reason: 'missing' | 'renewal_due' | 'expired' }
  | { action: 'wait'; untilMs: number };

export function decideCertificate(
  state: CertificateState | null,
  nowMs: number,
  policy: RenewalPolicy,
): CertificateDecision {
  const backoffUntilMs = state?.nextAttemptAt?.getTime() ?? 0;
  const hasCertificate = state?.notBefore != null && state.notAfter != null;
  if (!hasCertificate || state?.notBefore == null || state.notAfter == null) {
    return backoffUntilMs > nowMs
      ? { action: 'wait', untilMs: backoffUntilMs }
      : { action: 'issue', reason: 'missing' };
  }
  const notBeforeMs = state.notBefore.getTime();
  const notAfterMs = state.notAfter.getTime();
  const renewAtMs = notAfterMs - (notAfterMs - notBeforeMs) * policy.renewWhenRemainingFraction;
  const dueAtMs = Math.max(renewAtMs, backoffUntilMs);
  if (dueAtMs > nowMs) return { action: 'wait', untilMs: dueAtMs };
  return { action: 'issue', reason: notAfterMs <= nowMs ? 'expired' : 'renewal_due' };
}

/** The wait after the n-th failure in a row: doubling from the base, never above the maximum. */
export function retryDelayMs(failedAttempts: number, options: { baseMs: number; maxMs: number }): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 30));
}
