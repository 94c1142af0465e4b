import { describe, expect, it } from 'vitest';
import { appSteps, checkAppStep, checkDeploymentStep, deploymentSteps } from './states';

describe('an app’s steps', () => {
  it.each([
    ['queued', 'building'],
    ['building', 'deploying'],
    ['deploying', 'running'],
    ['failed', 'building'],
    ['running', 'sleeping'],
    ['sleeping', 'sleeping'],
    ['sleeping', 'waking'],
    ['waking', 'running'],
    ['waking', 'crashed'],
    ['running', 'crashed'],
    ['crashed', 'running'],
    ['sleeping', 'running'],
    ['building', 'failed'],
    ['queued', 'failed'],
  ] as const)('%s → %s is allowed', (from, to) => {
    expect(checkAppStep(from, to)).toEqual({ isAllowed: true });
  });

  it.each([
    ['queued', 'sleeping', 'An app cannot go from queued to sleeping: only a running app goes to sleep.'],
    ['failed', 'waking', 'An app cannot go from failed to waking: only a sleeping app wakes.'],
    ['running', 'waking', 'An app cannot go from running to waking: only a sleeping app wakes.'],
    [
      'building',
      'crashed',
      'An app cannot go from building to crashed: only an app with a live version can crash.',
    ],
    [
      'running',
      'building',
      'An app cannot go from running to building: an app shows its build only until its first version is live; later builds leave it as it is.',
    ],
    [
      'crashed',
      'failed',
      'An app cannot go from crashed to failed: an app fails only before its first version is live; later a failed build leaves the live one serving.',
    ],
    ['failed', 'queued', 'An app cannot go from failed to queued: an app is queued only when it is created.'],
    [
      'running',
      'stopped',
      'An app cannot go from running to stopped: Cove puts apps to sleep (sleeping) instead of stopping them.',
    ],
  ] as const)('%s → %s is refused, saying why', (from, to, reason) => {
    expect(checkAppStep(from, to)).toEqual({ isAllowed: false, reason });
  });

  it('lets every status become running: a version going live serves whatever came before', () => {
    for (const from of Object.keys(appSteps) as (keyof typeof appSteps)[]) {
      expect(checkAppStep(from, 'running').isAllowed).toBe(true);
    }
  });
});

describe('a deployment’s steps', () => {
  it.each([
    ['queued', 'building'],
    ['building', 'building'],
    ['building', 'deploying'],
    ['deploying', 'queued'],
    ['deploying', 'running'],
    ['deploying', 'superseded'],
    ['running', 'superseded'],
    ['queued', 'cancelled'],
    ['building', 'failed'],
  ] as const)('%s → %s is allowed', (from, to) => {
    expect(checkDeploymentStep(from, to)).toEqual({ isAllowed: true });
  });

  it.each([
    [
      'building',
      'running',
      'A deployment cannot go from building to running: only a deployment whose container is starting goes live.',
    ],
    [
      'running',
      'failed',
      'A deployment cannot go from running to failed: only a build in progress fails; it is finished (running, failed, superseded and cancelled are ends).',
    ],
    [
      'cancelled',
      'building',
      'A deployment cannot go from cancelled to building: only a queued or interrupted build is built; it is finished (running, failed, superseded and cancelled are ends).',
    ],
    [
      'superseded',
      'running',
      'A deployment cannot go from superseded to running: only a deployment whose container is starting goes live.',
    ],
    [
      'failed',
      'queued',
      'A deployment cannot go from failed to queued: only a build in progress goes back to the queue; it is finished (running, failed, superseded and cancelled are ends).',
    ],
    [
      'running',
      'cancelled',
      'A deployment cannot go from running to cancelled: only a build in progress can be cancelled; it is finished (running, failed, superseded and cancelled are ends).',
    ],
  ] as const)('%s → %s is refused, saying why', (from, to, reason) => {
    expect(checkDeploymentStep(from, to)).toEqual({ isAllowed: false, reason });
  });

  it('keeps the ends ends: nothing follows failed, superseded or cancelled', () => {
    for (const to of Object.keys(deploymentSteps) as (keyof typeof deploymentSteps)[]) {
      for (const end of ['failed', 'superseded', 'cancelled'] as const) {
        expect(checkDeploymentStep(end, to).isAllowed).toBe(false);
      }
    }
  });
});
