// A deployment left 'queued' without its build job (Redis lost it: restarted without its data, or
// flushed) is not stuck for ever: the reconciler puts the job back and the version goes live.
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  health,
  insertApp,
  insertDeployment,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let world: BuilderWorld | undefined;

beforeAll(async () => {
  // Queued for more than 2 s without a job counts as lost.
  world = await startBuilderWorld({ COVE_BUILD_STALE_SECONDS: '2' });
});

afterAll(() => stopBuilderWorld(world));

test('a queued deployment whose job Redis lost is queued again and goes live', async () => {
  if (!world) throw new Error('no builder world');
  const { context, git } = world;
  await git.createRepo('orphaned', { 'app.py': 'import streamlit as st\n\nst.title("Found again")\n' });
  const app = await insertApp(context, { name: 'orphaned', repoUrl: git.repoUrl('orphaned') });
  // The row as the dashboard writes it, but no job in Redis: as if Redis lost it.
  const deploymentId = await insertDeployment(context, app);

  const deployment = await waitForFinished(context, deploymentId, 90_000);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(await health(deployment.hostPort ?? 0)).toBe('ok');
});
