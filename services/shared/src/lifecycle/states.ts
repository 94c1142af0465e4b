// The life of an app and of its deployments, written once: which status may follow which, and why
// any other step is refused. Every status change goes through lifecycle/, which checks it here.
//
// An app's 'sleeping' covers both depths (frozen and stopped: the status message says which);
// 'stopped' is kept for rows of older versions and is entered by nothing today.
import { type AppStatus, appStatuses } from '../db/schema/apps';
import { type DeploymentStatus, deploymentStatuses } from '../db/schema/deployments';

interface StepRule<Status extends string> {
  /** The statuses this one may follow (itself included when staying is a step, e.g. a new message). */
  from: readonly Status[];
  /** Why it may not follow any other, in words a developer reading a log understands. */
  refusal: string;
}

/** Before a first version is live, the app's status is its build's. */
const beforeFirstVersion = ['queued', 'building', 'deploying', 'failed'] as const satisfies AppStatus[];

export const appSteps: Record<AppStatus, StepRule<AppStatus>> = {
  queued: { from: [], refusal: 'an app is queued only when it is created' },
  building: {
    from: beforeFirstVersion,
    refusal: 'an app shows its build only until its first version is live; later builds leave it as it is',
  },
  deploying: {
    from: beforeFirstVersion,
    refusal: 'an app shows its deploy only until its first version is live; later deploys leave it as it is',
  },
  // A version going live (or a fresh container of it) makes the app run, whatever it did before.
  running: { from: appStatuses, refusal: 'never refused' },
  sleeping: { from: ['running', 'sleeping'], refusal: 'only a running app goes to sleep' },
  waking: { from: ['sleeping', 'waking', 'stopped'], refusal: 'only a sleeping app wakes' },
  crashed: {
    from: ['running', 'waking', 'sleeping', 'crashed'],
    refusal: 'only an app with a live version can crash',
  },
  failed: {
    from: beforeFirstVersion,
    refusal:
      'an app fails only before its first version is live; later a failed build leaves the live one serving',
  },
  stopped: { from: [], refusal: 'Cove puts apps to sleep (sleeping) instead of stopping them' },
};

export const inProgressStatuses = ['queued', 'building', 'deploying'] as const satisfies DeploymentStatus[];

export function isInProgress(status: DeploymentStatus): boolean {
  return (inProgressStatuses as readonly DeploymentStatus[]).includes(status);
}

const finishedRefusal = 'it is finished (running, failed, superseded and cancelled are ends)';

export const deploymentSteps: Record<DeploymentStatus, StepRule<DeploymentStatus>> = {
  // Back in the queue after a passing fault or an interrupted builder.
  queued: {
    from: inProgressStatuses,
    refusal: `only a build in progress goes back to the queue; ${finishedRefusal}`,
  },
  building: {
    from: inProgressStatuses,
    refusal: `only a queued or interrupted build is built; ${finishedRefusal}`,
  },
  deploying: {
    from: inProgressStatuses,
    refusal: `only a build in progress is deployed; ${finishedRefusal}`,
  },
  running: { from: ['deploying'], refusal: 'only a deployment whose container is starting goes live' },
  failed: { from: inProgressStatuses, refusal: `only a build in progress fails; ${finishedRefusal}` },
  // A newer version replaced it: before it went live, or as the live one.
  superseded: {
    from: [...inProgressStatuses, 'running'],
    refusal: 'only a build in progress or the live version is superseded',
  },
  cancelled: {
    from: inProgressStatuses,
    refusal: `only a build in progress can be cancelled; ${finishedRefusal}`,
  },
};

export type StepCheck = { isAllowed: true } | { isAllowed: false; reason: string };

function checkStep<Status extends string>(
  rules: Record<Status, StepRule<Status>>,
  subject: string,
  from: Status,
  to: Status,
): StepCheck {
  const rule = rules[to];
  if (rule.from.includes(from)) return { isAllowed: true };
  return { isAllowed: false, reason: `${subject} cannot go from ${from} to ${to}: ${rule.refusal}.` };
}

export function checkAppStep(from: AppStatus, to: AppStatus): StepCheck {
  return checkStep(appSteps, 'An app', from, to);
}

export function checkDeploymentStep(from: DeploymentStatus, to: DeploymentStatus): StepCheck {
  return checkStep(deploymentSteps, 'A deployment', from, to);
}

export type { AppStatus, DeploymentStatus };
export { appStatuses, deploymentStatuses };
