// Why a build or deploy did not happen, in words for the app's author (builds/ and deploy/ both say it). A permanent failure is the
// author's to fix (a missing file, a bad requirement): retrying cannot help. Anything else is
// treated as a passing fault and the job is retried.
export class DeployFailure extends Error {
  override readonly name = 'DeployFailure';
  constructor(
    message: string,
    readonly isPermanent: boolean,
  ) {
    super(message);
  }
}

export function permanentFailure(message: string): DeployFailure {
  return new DeployFailure(message, true);
}

export function transientFailure(message: string): DeployFailure {
  return new DeployFailure(message, false);
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
