// The settings panel's note on a saved Python that is not the live one.
import type { AppView } from '@cove/shared/contracts/api';

/**
 * A saved Python the live version does not run, and why (review item 5: a setting that failed is not
 * shown as if it worked); null when they agree, nothing is live, or a build is under way.
 */
export function pythonNotApplied(app: AppView): string | null {
  const live = app.currentDeployment?.pythonVersion ?? null;
  const latest = app.latestDeployment;
  if (app.pythonVersion === null || live === null || live === app.pythonVersion) return null;
  if (latest && ['queued', 'building', 'deploying'].includes(latest.status)) return null;
  const saved = `Python ${app.pythonVersion} is saved, but the live version runs Python ${live}`;
  if (latest?.status === 'failed' && latest.pythonVersion === app.pythonVersion) {
    return `${saved}: the build with ${app.pythonVersion} failed (its log is under Deployments). Fix it and redeploy, or choose ${live} again.`;
  }
  if (app.currentDeployment?.trigger === 'rollback') {
    return `${saved}: an earlier version was made live. Save or redeploy to build with Python ${app.pythonVersion}.`;
  }
  return `${saved}: the repository's .python-version chose it, and it comes first.`;
}
