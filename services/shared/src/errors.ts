// Domain errors: a code, an HTTP status and a message that says what happened and what to do.
// Mapped to responses in one place (the dashboard's API layer).
export type CoveErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unsafe_git_url'
  | 'repository_check_failed'
  | 'invalid_signature'
  | 'replayed_delivery'
  | 'rate_limited'
  | 'too_large'
  | 'github_unavailable'
  | 'limit_reached';

const statusByCode: Record<CoveErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsafe_git_url: 422,
  /** The repository, its branch or its main file is not there (git ls-remote and the branch head). */
  repository_check_failed: 422,
  invalid_signature: 401,
  replayed_delivery: 409,
  rate_limited: 429,
  too_large: 413,
  /** GitHub answered with an error of its own (5xx) or refused the GitHub App's credentials. */
  github_unavailable: 502,
  /** A workspace limit the operator set (apps, running apps, memory) is reached. */
  limit_reached: 403,
};

export class CoveError extends Error {
  override readonly name = 'CoveError';
  constructor(
    readonly code: CoveErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return statusByCode[this.code];
  }
}
