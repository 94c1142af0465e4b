// What the app page says after a person's action, derived from the app as polling sees it, so a
// notice follows the action to its end ("Redeployed: abc1234 is live.") instead of staying at
// "queued" after it finished.
import type { AppView } from '@cove/shared/contracts/api';
import { versionLabel } from './version-label';

export type AppAction =
  | { kind: 'redeploy'; deploymentId: string }
  | { kind: 'rollback'; deploymentId: string }
  /** A settings change that needs a build (branch, main file, Python). */
  | { kind: 'rebuild'; deploymentId: string }
  | { kind: 'sleep' }
  | { kind: 'wake' }
  /** instanceBefore: the live container when Reboot was clicked (AppView.liveInstance). */
  | { kind: 'reboot'; instanceBefore: string | null };

export interface Notice {
  text: string;
  isError: boolean;
}

function deploymentNotice(
  app: AppView,
  deploymentId: string,
  words: { done: string; failed: string },
): Notice {
  const latest = app.latestDeployment;
  if (app.currentDeployment?.id === deploymentId)
    return {
      text: `${words.done}: ${versionLabel(app.currentDeployment, 'the branch head')} is live.`,
      isError: false,
    };
  if (!latest || latest.id !== deploymentId)
    return { text: 'A newer deployment replaced that one; its progress is shown below.', isError: false };
  const keepsServing = app.currentDeployment
    ? ' The version that was live keeps serving.'
    : ' See the build log below for why.';
  switch (latest.status) {
    case 'queued':
      return { text: 'Queued: waiting for the builder.', isError: false };
    case 'building':
      return { text: `Building ${versionLabel(latest, 'the branch head')}…`, isError: false };
    case 'deploying':
      return {
        text: app.currentDeployment
          ? `Starting ${versionLabel(latest, 'the branch head')}; the current version serves until it answers…`
          : `Starting ${versionLabel(latest, 'the branch head')}…`,
        isError: false,
      };
    case 'running':
      return { text: `${words.done}: ${versionLabel(latest, 'the branch head')} is live.`, isError: false };
    case 'failed':
      return { text: `${words.failed}.${keepsServing}`, isError: true };
    case 'cancelled':
      return { text: 'That deployment was cancelled.', isError: false };
    case 'superseded':
      return { text: 'A newer deployment replaced that one.', isError: false };
    default:
      return latest.status satisfies never;
  }
}

export function actionNotice(action: AppAction, app: AppView): Notice {
  switch (action.kind) {
    case 'redeploy':
      return deploymentNotice(app, action.deploymentId, {
        done: 'Redeployed',
        failed: 'The redeploy failed',
      });
    case 'rollback':
      return deploymentNotice(app, action.deploymentId, {
        done: 'Rolled back',
        failed: 'Making that version live again failed',
      });
    case 'rebuild':
      return deploymentNotice(app, action.deploymentId, {
        done: 'Built with the new settings',
        failed: 'The build with the new settings failed',
      });
    case 'sleep':
      return app.status === 'sleeping'
        ? { text: `${app.name} is asleep; the next visit wakes it.`, isError: false }
        : { text: `Putting ${app.name} to sleep…`, isError: false };
    case 'wake':
      return app.status === 'running'
        ? { text: `${app.name} is awake.`, isError: false }
        : { text: `Waking ${app.name}…`, isError: false };
    case 'reboot':
      // The app's status stays running through a reboot: its end is a fresh container taking over.
      return app.liveInstance !== null && app.liveInstance !== action.instanceBefore
        ? { text: `Rebooted: a fresh copy of ${app.name} is live.`, isError: false }
        : {
            text: `Rebooting ${app.name}: a fresh copy starts beside the running one and takes over once it answers, so visitors see no interruption…`,
            isError: false,
          };
    default:
      return action satisfies never;
  }
}
