// Deploying a folder (cove deploy ./dir): the archive is checked (archive.ts), stored by its
// content digest, and a deployment of that digest is queued; the builder unpacks it where it would
// clone a commit and builds it the same way. The same folder with the same main file as what runs
// or is being built queues nothing.
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { AppsDeps } from '../apps/deps';
import { findApp } from '../apps/queries';
import type { AppRow, DeploymentRow } from '../apps/views';
import { toDeploymentView } from '../apps/views';
import { deployUploadQuery, type UploadDeploymentResponse } from '../contracts/api';
import { parseInput } from '../contracts/validation';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { appUploads, deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { queueDeployment } from '../lifecycle/deployments';
import { user } from '../lifecycle/record';
import { inProgressStatuses } from '../lifecycle/states';
import { checkCanRun } from '../workspaces/limits';
import { type ArchiveSummary, inspectArchive, uploadLimits } from './archive';

/** Uploads kept per app besides those a queued or running build still needs. */
export const keptUploadsPerApp = 5;

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The most bytes an upload's body may have. */
export function uploadBodyLimitBytes(config: { COVE_UPLOAD_MAX_MB: number }): number {
  return Math.floor(config.COVE_UPLOAD_MAX_MB * 1024 * 1024);
}

export function uploadTooLargeMessage(config: { COVE_UPLOAD_MAX_MB: number }): string {
  return `The folder's archive is larger than ${config.COVE_UPLOAD_MAX_MB} MB, the most Cove accepts (COVE_UPLOAD_MAX_MB). Leave out what the app does not need: list it in .coveignore (or .gitignore).`;
}

function describeUpload(summary: Pick<ArchiveSummary, 'fileCount' | 'unpackedBytes'>): string {
  const megabytes = Math.round((summary.unpackedBytes / 1024 / 1024) * 10) / 10;
  return `Uploaded folder: ${summary.fileCount} file${summary.fileCount === 1 ? '' : 's'}, ${megabytes} MB`;
}

export function notAnUploadApp(app: Pick<AppRow, 'name'>): CoveError {
  return new CoveError(
    'conflict',
    `${app.name} deploys from its git repository, not from folders. Deploy a folder to an app created for uploads (cove deploy ./folder --name <new name>).`,
  );
}

/** The deployment already carrying this folder: the live one, or one queued or building. */
async function findSameUpload(db: Database, app: AppRow, digest: string): Promise<DeploymentRow | undefined> {
  const rows = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.appId, app.id), eq(deployments.uploadDigest, digest)))
    .orderBy(desc(deployments.createdAt))
    .limit(20);
  return rows.find(
    (row) =>
      row.id === app.liveDeploymentId || (inProgressStatuses as readonly string[]).includes(row.status),
  );
}

/** Drops the app's older uploads, keeping the newest few and any a build still needs. */
async function pruneUploads(db: Database, app: Pick<AppRow, 'id'>): Promise<void> {
  const stored = await db
    .select({ digest: appUploads.digest })
    .from(appUploads)
    .where(eq(appUploads.appId, app.id))
    .orderBy(desc(appUploads.createdAt));
  if (stored.length <= keptUploadsPerApp) return;
  const needed = await db
    .selectDistinct({ digest: deployments.uploadDigest })
    .from(deployments)
    .where(
      and(
        eq(deployments.appId, app.id),
        isNotNull(deployments.uploadDigest),
        inArray(deployments.status, [...inProgressStatuses]),
      ),
    );
  const kept = new Set([
    ...stored.slice(0, keptUploadsPerApp).map((row) => row.digest),
    ...needed.flatMap((row) => (row.digest ? [row.digest] : [])),
  ]);
  const dropped = stored.map((row) => row.digest).filter((digest) => !kept.has(digest));
  if (dropped.length === 0) return;
  await db.delete(appUploads).where(and(eq(appUploads.appId, app.id), inArray(appUploads.digest, dropped)));
}

export async function deployUpload(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  archive: Buffer,
  query: unknown,
  actorUserId: string | null,
): Promise<{ status: 200 | 202; body: UploadDeploymentResponse }> {
  const { mainFile: requestedMainFile } = parseInput(deployUploadQuery, query);
  const app = await findApp(deps.db, workspaceId, name);
  if (app.source !== 'upload') throw notAnUploadApp(app);
  const summary = await inspectArchive(archive, uploadLimits(deps.config));
  const mainFile = requestedMainFile ?? app.mainFile;
  if (!summary.files.includes(mainFile)) {
    throw new CoveError(
      'invalid_input',
      `The folder has no ${mainFile}, the app's main file. Give the right one (cove deploy --main <file>), relative to the folder.`,
      { fields: { mainFile: `${mainFile} is not in the folder.` } },
    );
  }
  const base = { digest: summary.digest, fileCount: summary.fileCount };
  if (mainFile === app.mainFile) {
    const same = await findSameUpload(deps.db, app, summary.digest);
    if (same) {
      const what = same.id === app.liveDeploymentId ? 'already runs' : 'is already deploying';
      return {
        status: 200,
        body: {
          ...base,
          deployment: toDeploymentView(same),
          isUnchanged: true,
          message: `Nothing changed: ${app.name} ${what} this folder (${shortDigest(summary.digest)}).`,
        },
      };
    }
  }
  await checkCanRun(deps, workspaceId, app.id, `deploy ${app.name}`);
  const description = describeUpload(summary);
  const deployment = await deps.db.transaction(async (tx) => {
    await tx
      .insert(appUploads)
      .values({
        appId: app.id,
        workspaceId,
        digest: summary.digest,
        archive,
        sizeBytes: archive.length,
        fileCount: summary.fileCount,
      })
      .onConflictDoUpdate({
        target: [appUploads.appId, appUploads.digest],
        set: { archive, sizeBytes: archive.length, createdAt: sql`now()` },
      });
    if (mainFile !== app.mainFile) {
      await tx
        .update(apps)
        .set({ mainFile, updatedAt: new Date() })
        .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, app.id)));
    }
    return queueDeployment(
      tx,
      {
        appId: app.id,
        workspaceId,
        trigger: 'upload',
        branch: '',
        uploadDigest: summary.digest,
        commitMessage: description,
      },
      { by: user(actorUserId), reason: `${description} (${shortDigest(summary.digest)}).` },
    );
  });
  await pruneUploads(deps.db, app);
  await deps.queues.enqueueBuild({ deploymentId: deployment.id });
  return {
    status: 202,
    body: {
      ...base,
      deployment: toDeploymentView(deployment),
      isUnchanged: false,
      message: `Queued: ${description} (${shortDigest(summary.digest)}).`,
    },
  };
}

/**
 * What a rebuild of the app builds: its branch head, or for an app deployed from uploads its
 * newest folder still stored (refused when there is none).
 */
export async function rebuildSource(
  db: Database,
  app: Pick<AppRow, 'id' | 'name' | 'source' | 'branch'>,
): Promise<{ branch: string; uploadDigest?: string; commitMessage?: string }> {
  if (app.source !== 'upload') return { branch: app.branch };
  const [newest] = await db
    .select({ digest: appUploads.digest, fileCount: appUploads.fileCount })
    .from(appUploads)
    .where(eq(appUploads.appId, app.id))
    .orderBy(desc(appUploads.createdAt))
    .limit(1);
  if (!newest) {
    throw new CoveError(
      'conflict',
      `${app.name} has no uploaded folder to build yet: deploy one (cove deploy ./folder --name ${app.name}).`,
    );
  }
  return {
    branch: '',
    uploadDigest: newest.digest,
    commitMessage: `Uploaded folder: ${newest.fileCount} file${newest.fileCount === 1 ? '' : 's'}`,
  };
}

/** The stored archive of a deployment's upload, within the app's workspace (for the builder). */
export async function readUpload(
  db: Database,
  deployment: Pick<DeploymentRow, 'appId' | 'workspaceId' | 'uploadDigest'>,
): Promise<Buffer | null> {
  if (deployment.uploadDigest === null) return null;
  const [row] = await db
    .select({ archive: appUploads.archive })
    .from(appUploads)
    .where(
      and(
        eq(appUploads.appId, deployment.appId),
        eq(appUploads.workspaceId, deployment.workspaceId),
        eq(appUploads.digest, deployment.uploadDigest),
      ),
    );
  return row?.archive ?? null;
}
