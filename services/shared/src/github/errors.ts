// GitHub's error answers in plain words: what happened and what to do. 404 is also what GitHub
// answers when the App has no access, so the message says both.
import { CoveError } from '../errors';

export interface GitHubErrorAnswer {
  status: number;
  headers: Headers;
  /** What was asked, in words: "the repositories of installation 42". */
  what: string;
  /** GitHub's own message from the body, when it sent one. */
  gitHubMessage: string | null;
}

function resetTime(headers: Headers): Date | null {
  const reset = Number.parseInt(headers.get('x-ratelimit-reset') ?? '', 10);
  return Number.isFinite(reset) ? new Date(reset * 1000) : null;
}

function retryAfterSeconds(headers: Headers, now: Date): number | null {
  const retryAfter = Number.parseInt(headers.get('retry-after') ?? '', 10);
  if (Number.isFinite(retryAfter)) return retryAfter;
  const reset = resetTime(headers);
  return reset ? Math.max(1, Math.ceil((reset.getTime() - now.getTime()) / 1000)) : null;
}

function isRateLimited(answer: GitHubErrorAnswer): boolean {
  if (answer.status === 429) return true;
  if (answer.status !== 403) return false;
  // A secondary rate limit says so in the message and may come with Retry-After only.
  return (
    answer.headers.get('x-ratelimit-remaining') === '0' ||
    answer.headers.has('retry-after') ||
    /rate limit/i.test(answer.gitHubMessage ?? '')
  );
}

export function gitHubError(answer: GitHubErrorAnswer, now: Date = new Date()): CoveError {
  const { status, what } = answer;
  if (isRateLimited(answer)) {
    const reset = resetTime(answer.headers);
    const seconds = retryAfterSeconds(answer.headers, now);
    const when = reset ? ` It resets at ${reset.toISOString()}.` : ' Try again in a few minutes.';
    return new CoveError(
      'rate_limited',
      `GitHub's rate limit for the Cove GitHub App is used up, so Cove could not read ${what}.${when}`,
      seconds === null
        ? {}
        : { retryAfterSeconds: seconds, ...(reset ? { resetAt: reset.toISOString() } : {}) },
    );
  }
  if (status === 401) {
    return new CoveError(
      'github_unavailable',
      `GitHub refused the Cove GitHub App's credentials (401) when reading ${what}. The operator should check COVE_GITHUB_APP_ID and the App's private key.`,
    );
  }
  if (status === 403) {
    return new CoveError(
      'forbidden',
      `GitHub did not allow the Cove GitHub App to read ${what} (403). Check the App's permissions on that account.`,
    );
  }
  if (status === 404) {
    return new CoveError(
      'not_found',
      `GitHub found no ${what}, or the Cove GitHub App has no access to it. Check the name, and that the App is installed with access to it.`,
    );
  }
  if (status >= 500) {
    return new CoveError(
      'github_unavailable',
      `GitHub is having trouble (${status}) and could not give ${what}. Try again in a few minutes.`,
    );
  }
  const detail = answer.gitHubMessage ? `: ${answer.gitHubMessage}` : '';
  return new CoveError('github_unavailable', `GitHub refused the request for ${what} (${status}${detail}).`);
}
