// The app with the deployment that serves it: what every operation on the live container starts from.
import { type Database, schema } from '@cove/shared/db/client';
import { eq } from 'drizzle-orm';

const { apps, deployments } = schema;

export type AppRow = typeof apps.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;

/** The app and its live deployment, or null when the app has none (or is gone). */
export async function readLiveDeployment(
  db: Database,
  appId: string,
): Promise<{ app: AppRow; live: DeploymentRow } | null> {
  const [row] = await db
    .select({ app: apps, live: deployments })
    .from(apps)
    .innerJoin(deployments, eq(deployments.id, apps.liveDeploymentId))
    .where(eq(apps.id, appId));
  return row ?? null;
}
