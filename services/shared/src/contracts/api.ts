// Every request and response of the HTTP API under /api/v1, as zod schemas. The dashboard's route
// handlers, its pages and the OpenAPI document all derive from these.
import { z } from 'zod';
import { appSources, appStatuses, appVisibilities } from '../db/schema/apps';
import { deploymentStatuses, deploymentTriggers } from '../db/schema/deployments';
import { apiTokenScopes } from '../db/schema/identity';
import { gitHubRepositoryFullName } from './github';

/** What a replica of an app is doing, as the API reports it. */
export const replicaStatuses = ['running'] as const;

export * from './access';
export * from './workspaces';

export const appName = z
  .string({ error: 'Give the app a name; it becomes its subdomain.' })
  .trim()
  .min(3, 'The name needs at least 3 characters.')
  .max(40, 'The name can have at most 40 characters.')
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'Use lower-case letters, digits and dashes, starting and ending with a letter or digit (it becomes the subdomain).',
  )
  .refine(
    (value) => !/--pr-\d+$/.test(value),
    'Names ending in --pr-<number> are kept for pull request previews; choose another.',
  );

export const branchName = z
  .string()
  .trim()
  .min(1, 'Give the branch to deploy, for example main.')
  .max(200)
  .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'That is not a valid git branch name.');

export const mainFilePath = z
  .string()
  .trim()
  .min(1, 'Give the path of the main file, for example streamlit_app.py.')
  .max(300)
  .regex(/\.py$/, 'The main file must be a Python file ending in .py.')
  .refine(
    (value) => !value.startsWith('/') && !value.split('/').includes('..') && !value.includes('\\'),
    'The main file must be a path inside the repository, like app.py or src/app.py.',
  );

export const createAppRequest = z.object({
  name: appName,
  source: z
    .enum(appSources, { error: 'Choose a source: "git" (a repository) or "upload" (folders sent to Cove).' })
    .default('git')
    .describe(
      'git: built from a repository (repoUrl or githubRepository); upload: from folders sent to POST /apps/{name}/uploads, nothing is built until the first one.',
    ),
  repoUrl: z
    .string({ error: 'Give the URL of the git repository.' })
    .trim()
    .min(1, 'Give the URL of the git repository.')
    .max(2000)
    .optional()
    .describe('Any git URL; leave it out when githubRepository is given.'),
  githubRepository: gitHubRepositoryFullName
    .optional()
    .describe("owner/name of a repository the workspace's GitHub App installation can read."),
  branch: branchName.default('main'),
  mainFile: mainFilePath.default('streamlit_app.py'),
});
export type CreateAppRequest = z.infer<typeof createAppRequest>;

export const deploymentView = z.object({
  id: z.uuid(),
  status: z.enum(deploymentStatuses),
  trigger: z.enum(deploymentTriggers),
  branch: z.string().describe('Empty for a deployment of an uploaded folder.'),
  commit: z.string().nullable().describe('The full commit sha, once resolved.'),
  uploadDigest: z
    .string()
    .nullable()
    .describe("An uploaded folder's content digest (sha256:<hex>), where a commit would be; else null."),
  commitMessage: z.string().nullable(),
  commitAuthor: z.string().nullable(),
  errorMessage: z.string().nullable(),
  image: z.string().nullable().describe('The image it was built as (or, for a rollback, started from).'),
  pythonVersion: z
    .string()
    .nullable()
    .describe('The Python it was built with (major.minor); null until its build chose one.'),
  hasServed: z
    .boolean()
    .describe('It went live at some point: an earlier one like it can be made live again (rollback).'),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type DeploymentView = z.infer<typeof deploymentView>;

export const appView = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.url(),
  source: z.enum(appSources).describe('git: built from a repository; upload: from uploaded folders.'),
  repoUrl: z.string().describe('Empty for an app deployed from uploaded folders.'),
  branch: z.string(),
  mainFile: z.string(),
  status: z.enum(appStatuses),
  statusMessage: z.string().nullable(),
  currentDeployment: deploymentView.nullable().describe('The deployment serving the app, if any.'),
  latestDeployment: deploymentView.nullable().describe('The most recent deployment, whatever its status.'),
  pythonVersion: z
    .string()
    .nullable()
    .describe("Python used when the repository has no .python-version; null: the platform's default."),
  liveInstance: z
    .string()
    .nullable()
    .describe(
      'Opaque; changes whenever a fresh container takes over the live version (a reboot, new limits or secrets). Null when nothing runs.',
    ),
  offeredPythonVersions: z
    .array(z.string())
    .describe(
      'The Python versions (major.minor) this installation offers, its default first; empty: not listed.',
    ),
  resources: z.object({
    memoryMb: z.number().int().describe("The container's memory limit."),
    cpus: z.number(),
    maxMemoryMb: z.number().int().describe('The most this installation allows.'),
    maxCpus: z.number(),
  }),
  idle: z
    .object({
      freezeAfterSeconds: z.number().int().nullable(),
      stopAfterSeconds: z.number().int().nullable(),
      platformFreezeAfterSeconds: z
        .number()
        .describe("The platform's default, used while the app's own is null."),
      platformStopAfterSeconds: z.number(),
    })
    .describe("Idle seconds before the app is frozen, then stopped; 0 never; null: the platform's default."),
  scaling: z
    .object({
      minReplicas: z.number().int(),
      maxReplicas: z.number().int(),
      sessionsPerReplica: z.number().int(),
    })
    .describe(
      'Awake, the app runs between min and max replicas (processes): another starts when its open sessions pass sessionsPerReplica per replica, an idle one stops after the idle time.',
    ),
  replicas: z
    .array(
      z.object({
        node: z.string().describe('The machine the replica runs on.'),
        status: z.enum(replicaStatuses),
      }),
    )
    .describe('The replicas serving the app now (none while it sleeps).'),
  lastVisitAt: z.iso.datetime().nullable().describe('When the app last had a visitor, if Cove has seen one.'),
  visibility: z
    .enum(appVisibilities)
    .describe('public: anyone with the address; private: signed-in members and the access list only.'),
  githubRepository: z
    .string()
    .nullable()
    .describe('owner/name when the app deploys through the GitHub App (its pushes redeploy it); else null.'),
  previews: z
    .object({
      isEnabled: z.boolean(),
      hasSecrets: z.boolean().describe("Previews get the app's secrets (off by default)."),
      limit: z.number().int().describe('Previews kept at once; a new one past it removes the oldest.'),
      open: z
        .array(
          z.object({ number: z.number().int(), name: z.string(), url: z.url(), status: z.enum(appStatuses) }),
        )
        .describe('Its previews now, newest first.'),
    })
    .describe('Pull request previews of this app.'),
  previewOf: z
    .object({ app: z.string(), number: z.number().int() })
    .nullable()
    .describe('Set on a preview: the app and the pull request it previews.'),
  createdAt: z.iso.datetime(),
});
export type AppView = z.infer<typeof appView>;

/** The most replicas an app may ask for. */
export const maxReplicasPerApp = 20;

const replicaCountField = (what: string) =>
  z
    .number({ error: `Give the ${what} as a whole number of replicas.` })
    .int(`Give the ${what} as a whole number of replicas.`)
    .min(1, `Give the ${what} as at least 1 replica.`)
    .max(maxReplicasPerApp, `Give the ${what} as at most ${maxReplicasPerApp} replicas.`);

const idleSeconds = z
  .number({ error: 'Give the idle time in seconds, as a whole number (0 turns it off).' })
  .int('Give the idle time in seconds, as a whole number (0 turns it off).')
  .min(0, 'Give the idle time in seconds, as a whole number (0 turns it off).')
  .max(30 * 24 * 3600, 'Give an idle time of at most 30 days.')
  .nullable();

/**
 * Only the fields given change; a null Python version, resource or idle time goes back to the
 * platform's default.
 */
export const updateAppRequest = z
  .object({
    name: appName,
    repoUrl: z
      .string({ error: 'Give the URL of the git repository.' })
      .trim()
      .min(1, 'Give the URL of the git repository.')
      .max(2000)
      .describe('A new git URL to build from (checked like at creation); not for GitHub App apps.'),
    branch: branchName,
    mainFile: mainFilePath,
    pythonVersion: z
      .string()
      .trim()
      .regex(/^3\.\d{1,2}$/, 'Give a Python version as major.minor, for example 3.11.')
      .nullable(),
    memoryMb: z
      .number({ error: 'Give the memory limit in MB, as a whole number.' })
      .int('Give the memory limit in MB, as a whole number.')
      .min(128, 'Give the app at least 128 MB of memory.')
      .nullable(),
    cpus: z
      .number({ error: 'Give the number of CPUs, for example 0.5 or 1.' })
      .min(0.1, 'Give the app at least 0.1 CPU.')
      .nullable(),
    freezeAfterSeconds: idleSeconds,
    stopAfterSeconds: idleSeconds,
    minReplicas: replicaCountField('minimum'),
    maxReplicas: replicaCountField('maximum'),
    sessionsPerReplica: z
      .number({ error: 'Give the sessions per replica as a whole number.' })
      .int('Give the sessions per replica as a whole number.')
      .min(1, 'Give at least 1 session per replica.')
      .max(10_000, 'Give at most 10000 sessions per replica.'),
    visibility: z.enum(appVisibilities, {
      error: 'Choose a visibility: "public" (anyone with the address) or "private".',
    }),
    previewsEnabled: z
      .boolean({ error: 'Say true or false: previews of pull requests on or off.' })
      .describe('Deploy each pull request to the branch as <app>--pr-<n> (its webhook must send PR events).'),
    previewSecrets: z
      .boolean({ error: 'Say true or false: may previews have the secrets.' })
      .describe(
        "Give previews the app's secrets; off by default, since a pull request's code can read them.",
      ),
    buildFrom: z
      .enum(['branch-head', 'live'], { error: 'Choose what to build: "branch-head" or "live".' })
      .describe(
        'When the changes need a build: the head of the branch (the default), or the commit that is live (after a rollback, to keep that version).',
      ),
  })
  .partial()
  .strict();
export type UpdateAppRequest = z.infer<typeof updateAppRequest>;

export const updateAppResponse = z.object({
  app: appView,
  message: z.string().describe('What happens next, in plain words.'),
  isRebuilding: z
    .boolean()
    .describe('A deployment was queued (repository, branch, main file or Python changed).'),
  isRestarting: z.boolean().describe('The running version restarts with the new limits (health-checked).'),
  deploymentId: z.uuid().nullable().describe('The queued deployment, when one was.'),
});
export type UpdateAppResponse = z.infer<typeof updateAppResponse>;

export const webhookView = z.object({ url: z.url(), secret: z.string() });

export const createAppResponse = appView.extend({ webhook: webhookView });
export type CreateAppResponse = z.infer<typeof createAppResponse>;

export const appWithWebhookResponse = createAppResponse;

export const listAppsResponse = z.object({ apps: z.array(appView) });

/** POST /apps/{name}/uploads: the archive is in the body; the main file may change with it. */
export const deployUploadQuery = z.object({
  mainFile: mainFilePath.optional().describe("The app's main file from now on; left out: it stays."),
});

export const uploadDeploymentResponse = z.object({
  deployment: deploymentView.describe('The queued deployment, or the one that already has this folder.'),
  isUnchanged: z
    .boolean()
    .describe(
      'The folder (and main file) is what the app already runs or is deploying: nothing new was queued.',
    ),
  digest: z.string().describe("The folder's content digest, sha256:<hex>."),
  fileCount: z.number().int(),
  message: z.string(),
});
export type UploadDeploymentResponse = z.infer<typeof uploadDeploymentResponse>;
export const listDeploymentsResponse = z.object({ deployments: z.array(deploymentView) });
export const deploymentResponse = z.object({ deployment: deploymentView });

/** One status change of the app or one of its deployments, as lifecycle/ recorded it. */
export const appTransitionView = z.object({
  subject: z.enum(['app', 'deployment']),
  deploymentId: z.uuid().nullable(),
  fromStatus: z.string().nullable().describe('Null when the app or deployment was created with toStatus.'),
  toStatus: z.string(),
  actor: z.enum(['user', 'builder', 'reconciler', 'webhook']),
  actorUserId: z.uuid().nullable(),
  reason: z.string(),
  at: z.iso.datetime(),
});
export type AppTransitionView = z.infer<typeof appTransitionView>;
export const appHistoryResponse = z.object({ transitions: z.array(appTransitionView) });

const emailAddress = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .toLowerCase()
  .pipe(z.email('Enter a valid email address.'));

export const signUpRequest = z.object({
  email: emailAddress,
  password: z
    .string({ error: 'Choose a password.' })
    .min(10, 'Use at least 10 characters for the password.')
    .max(200),
});
export const signInRequest = z.object({
  email: emailAddress,
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(200),
});
export const sessionResponse = z.object({
  user: z.object({
    id: z.uuid(),
    email: z.string(),
    isEmailVerified: z
      .boolean()
      .describe('Whether the address is verified: only verified addresses count for access lists.'),
  }),
  workspace: z.object({ id: z.uuid(), name: z.string() }),
});
export const verificationMailResponse = z
  .object({ isMailSent: z.boolean(), message: z.string() })
  .describe('Whether a verification link was mailed to the address, and what that means.');
export const signUpResponse = sessionResponse.extend({ verification: verificationMailResponse });

export const apiTokenScope = z
  .enum(apiTokenScopes)
  .describe("read: GET requests only; full: everything the owner's role allows.");
export const createTokenRequest = z.object({
  name: z.string().trim().min(1, 'Give the token a name.').max(100),
  scope: apiTokenScope.default('full'),
  expiresInDays: z
    .number({ error: 'Give the expiry as a whole number of days.' })
    .int('Give the expiry as a whole number of days.')
    .min(1, 'A token lives at least one day.')
    .max(3650, 'A token lives at most 3650 days.')
    .nullable()
    .default(null)
    .describe('Days until the token stops working; null or absent: it does not expire.'),
});
export const createTokenResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: apiTokenScope,
  expiresAt: z.iso.datetime().nullable(),
  token: z.string().describe('Shown once; send it as "Authorization: Bearer <token>".'),
});
export const apiTokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: apiTokenScope,
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
});
export type ApiTokenView = z.infer<typeof apiTokenView>;
export const listTokensResponse = z.object({ tokens: z.array(apiTokenView) });

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().describe('What happened and what to do, in plain words.'),
    fields: z.record(z.string(), z.string()).optional().describe('Per-field messages for forms.'),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponse>;

export const webhookAcceptedResponse = z.object({
  deploymentId: z.uuid().nullable(),
  message: z.string(),
});

export const getWebhookResponse = webhookView;

export const messageResponse = z.object({ message: z.string() });

export const sleepAppRequest = z.object({
  depth: z
    .enum(['freeze', 'stop'], { error: 'Choose a depth of sleep: "freeze" or "stop".' })
    .default('stop')
    .describe('freeze: paused, memory kept, wakes in a moment; stop (the default): holds no memory.'),
});
export type SleepAppRequest = z.infer<typeof sleepAppRequest>;

export const logStreamQuery = z.object({
  stream: z.enum(['build', 'runtime']).default('build'),
  follow: z
    .enum(['1', 'true', '0', 'false'])
    .optional()
    .transform((value) => value === '1' || value === 'true')
    .describe('With 1, answer with a text/event-stream: the stored lines, then live ones.'),
});
export type LogStreamQuery = z.infer<typeof logStreamQuery>;

/** One event of the follow stream (event "line"); the stream ends with an event "end". */
export const logLineEvent = z.object({
  id: z.number().int(),
  stream: z.enum(['build', 'runtime']),
  line: z.string(),
  at: z.iso.datetime(),
});

export const secretsView = z.object({
  keys: z.array(z.string()).describe('Top-level keys of the secrets TOML; values are never returned.'),
  version: z.number().int().nullable().describe('Grows with every save; null when there are none.'),
  updatedAt: z.iso.datetime().nullable(),
});
export type SecretsView = z.infer<typeof secretsView>;

export const replaceSecretsResponse = secretsView.extend({
  message: z.string(),
  isRestarting: z.boolean().describe('Whether the running app restarts (health-checked) to read them.'),
});
export type ReplaceSecretsResponse = z.infer<typeof replaceSecretsResponse>;

export const revealedSecrets = secretsView.extend({
  toml: z.string().describe('The secrets as saved (TOML); empty when there are none.'),
});
export type RevealedSecrets = z.infer<typeof revealedSecrets>;
