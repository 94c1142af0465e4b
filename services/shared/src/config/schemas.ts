// The environment each deployable reads. Names are COVE_*; every value is checked at start-up.
import { z } from 'zod';
import { backupSchedules } from '../backup/schedule';
import { parseAddressRange } from '../limits/client-address';
import { subnetPoolProblem } from '../network/subnet-pool';
import { sharedSiteProblem } from './sites';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const ipv4OrCidr = z.union([z.ipv4(), z.cidrv4()]);

const masterKey = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

const runtimeImageList = z
  .string()
  .default('')
  .transform((value, context) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const images: { pythonVersion: string; image: string }[] = [];
    for (const entry of entries) {
      const match = /^(3\.\d{1,2})=(\S+)$/.exec(entry);
      if (match?.[1] === undefined || match[2] === undefined) {
        context.addIssue({
          code: 'custom',
          message: `"${entry}" is not <python major.minor>=<image>, e.g. 3.13=cove/runtime:dev-trixie`,
        });
        return z.NEVER;
      }
      images.push({ pythonVersion: match[1], image: match[2] });
    }
    return images;
  });

export const commonConfigSchema = z.object({
  COVE_DATABASE_URL: z.url().startsWith('postgres'),
  COVE_REDIS_URL: z.url().startsWith('redis'),
  /** Namespaces queues, Redis keys and Docker labels so several installations share one engine. */
  COVE_INSTANCE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lower-case letters, digits and dashes')
    .default('local'),
  COVE_MASTER_KEY: masterKey,
  /** During a master key rotation only: the key being replaced, still accepted for reading. */
  COVE_PREVIOUS_MASTER_KEY: masterKey.optional(),
  COVE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Apps live at <scheme>://<name>.<domain>[:port]/ */
  COVE_APPS_DOMAIN: z.string().min(1),
  COVE_APPS_SCHEME: z.enum(['http', 'https']).default('https'),
  COVE_APPS_PUBLIC_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  COVE_DASHBOARD_URL: z.url(),
  /** Lets the dashboard live on the apps' domain or under it, which the start-up check refuses. */
  COVE_ALLOW_SHARED_SITE: booleanFlag.default(false),
  COVE_GIT_ALLOWED_SCHEMES: z
    .string()
    .default('https,git')
    .transform((value) => value.split(',').map((scheme) => scheme.trim()))
    .pipe(z.array(z.enum(['https', 'http', 'git'])).min(1)),
  COVE_GIT_ALLOW_PRIVATE_ADDRESSES: booleanFlag.default(false),
  /**
   * Before an app is created (or its repository, branch or main file change): git ls-remote the URL
   * and look for the main file in the branch head, within COVE_GIT_CHECK_TIMEOUT_SECONDS.
   */
  COVE_GIT_CHECK_REPOSITORIES: booleanFlag.default(true),
  COVE_GIT_CHECK_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(20),
  /** Each app's container limits: the default, and the most an app's settings may ask for. */
  COVE_APP_MEMORY_MB: z.coerce.number().int().min(64).default(768),
  COVE_APP_MAX_MEMORY_MB: z.coerce.number().int().min(64).default(4096),
  COVE_APP_CPUS: z.coerce.number().positive().default(1),
  COVE_APP_MAX_CPUS: z.coerce.number().positive().default(2),
  /** Idle seconds (no request, no open WebSocket) before an app is frozen, memory kept; 0 never. */
  COVE_FREEZE_AFTER_SECONDS: z.coerce.number().min(0).default(600),
  /** Idle seconds before an app is stopped and holds no memory; 0 never. */
  COVE_STOP_AFTER_SECONDS: z.coerce.number().min(0).default(3600),
  /**
   * The Python versions offered, each with the runtime image that has it, the default first:
   * `3.11=cove/runtime:dev,3.13=cove/runtime:dev-trixie`. Empty: COVE_RUNTIME_IMAGE alone, with
   * whatever Python it has (the settings then take a version as free text).
   */
  COVE_RUNTIME_IMAGES: runtimeImageList,
  /** Days a renamed app's old subdomain keeps redirecting (and stays reserved for it). */
  COVE_RENAME_REDIRECT_DAYS: z.coerce.number().min(0).default(7),
  /** Each workspace's limits unless the operator set its own (npm run workspace:limits). */
  COVE_WORKSPACE_MAX_APPS: z.coerce.number().int().min(0).default(50),
  COVE_WORKSPACE_MAX_RUNNING_APPS: z.coerce.number().int().min(0).default(20),
  COVE_WORKSPACE_MAX_MEMORY_MB: z.coerce.number().int().min(0).default(16384),
  /** Where invitation and address verification mails go out (smtp:// or smtps://); unset: none are sent. */
  COVE_SMTP_URL: z
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
    .optional(),
  COVE_MAIL_FROM: z.string().min(3).default('Cove <cove@localhost>'),
  /** Days an invitation link works. */
  COVE_INVITATION_DAYS: z.coerce.number().positive().max(365).default(7),
  /** Hours the address verification link mailed at sign-up works. */
  COVE_EMAIL_VERIFICATION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** The operator's GitHub App (optional; github/settings.ts checks they come together). */
  COVE_GITHUB_APP_ID: z.string().regex(/^\d+$/, 'the numeric App ID from the GitHub App settings').optional(),
  COVE_GITHUB_APP_SLUG: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "the App's URL name, as in github.com/apps/<slug>")
    .optional(),
  COVE_GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  COVE_GITHUB_APP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  COVE_GITHUB_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** The App's OAuth client: connecting checks that the person may manage the installation. */
  COVE_GITHUB_CLIENT_ID: z.string().min(1).optional(),
  COVE_GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  COVE_GITHUB_API_URL: z.url().default('https://api.github.com'),
  COVE_GITHUB_URL: z.url().default('https://github.com'),
  /**
   * Deploying from a folder (POST /apps/{name}/uploads): the most MB the archive may have as sent,
   * the most MB and files it may unpack to (a small archive can unpack to a lot).
   */
  COVE_UPLOAD_MAX_MB: z.coerce.number().positive().default(50),
  COVE_UPLOAD_MAX_UNPACKED_MB: z.coerce.number().positive().default(500),
  COVE_UPLOAD_MAX_FILES: z.coerce.number().int().positive().default(10000),
  /** Pull request previews an app keeps at once; a new one past it removes the oldest. */
  COVE_PREVIEWS_PER_APP: z.coerce.number().int().min(1).default(3),
});

/** Every process refuses a dashboard that apps could plant cookies for (config/sites.ts). */
function refuseSharedSite(
  config: Pick<CommonConfig, 'COVE_DASHBOARD_URL' | 'COVE_APPS_DOMAIN' | 'COVE_ALLOW_SHARED_SITE'>,
  context: z.RefinementCtx,
): void {
  if (config.COVE_ALLOW_SHARED_SITE) return;
  const problem = sharedSiteProblem(config.COVE_DASHBOARD_URL, config.COVE_APPS_DOMAIN);
  if (problem) context.addIssue({ code: 'custom', path: ['COVE_DASHBOARD_URL'], message: problem });
}

/** A comma-separated list (empty by default), each entry checked; the first bad one is named. */
function commaSeparated(isValid: (entry: string) => boolean, problem: (entry: string) => string) {
  return z
    .string()
    .default('')
    .transform((value, context) => {
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const invalid = entries.find((entry) => !isValid(entry));
      if (invalid === undefined) return entries;
      context.addIssue({ code: 'custom', message: problem(invalid) });
      return z.NEVER;
    });
}

/** Comma-separated IP addresses or CIDR ranges (IPv4 or IPv6). */
const addressRanges = commaSeparated(
  (entry) => parseAddressRange(entry) !== null,
  (entry) => `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.2, 172.16.0.0/12 or fd00::/8)`,
);

/**
 * Backups (backup/): `npm run backup` reads them too. The builder takes one every hour or day into
 * COVE_BACKUP_TARGET (a folder, or restic:<repository> with RESTIC_PASSWORD_FILE or RESTIC_PASSWORD
 * in the environment) and keeps the newest COVE_BACKUP_KEEP there.
 */
export const backupSettings = {
  COVE_BACKUP_SCHEDULE: z.enum(backupSchedules).default('off'),
  COVE_BACKUP_TARGET: z.string().trim().min(1).optional(),
  COVE_BACKUP_KEEP: z.coerce.number().int().min(1).default(7),
};

const builderFields = commonConfigSchema.extend({
  ...backupSettings,
  COVE_RUNTIME_IMAGE: z.string().min(1).default('cove/runtime:dev'),
  COVE_DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  COVE_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  COVE_WORK_DIR: z.string().default('/var/tmp/cove-builds'),
  COVE_APP_PIDS_LIMIT: z.coerce.number().int().min(16).default(256),
  COVE_HEALTH_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
  COVE_CLONE_TIMEOUT_SECONDS: z.coerce.number().positive().default(120),
  COVE_BUILD_TIMEOUT_SECONDS: z.coerce.number().positive().default(1200),
  COVE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().default(5),
  /** A build whose worker has not reported for this long is considered dead. */
  COVE_BUILD_STALE_SECONDS: z.coerce.number().positive().default(30),
  /** Images kept per app (the newest successful ones); the live and the previous are always kept. */
  COVE_IMAGE_RETENTION: z.coerce.number().int().min(1).default(5),
  /** Days an app's history (its status changes) is kept; each app's newest 20 stay however old. */
  COVE_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** Seconds between two samples of every awake app's CPU and memory (the app page's chart); 0 never. */
  COVE_METRICS_SAMPLE_SECONDS: z.coerce.number().int().min(0).default(30),
  /** Days those samples and the out-of-memory marks are kept. */
  COVE_METRICS_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  /**
   * Seconds between two roll-ups of the proxies' visitor counters (Redis) into Postgres, where the
   * analytics are read; they are kept COVE_HISTORY_RETENTION_DAYS.
   */
  COVE_ANALYTICS_ROLLUP_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * MB the engine's build cache (BuildKit's step results) may hold; after each build the least
   * recently used goes past it. The engine's whole cache: on an engine several instances share, the
   * smallest setting wins. Also the most a workspace's uv cache (a volume) holds: past it, it is
   * emptied before the next install.
   */
  COVE_BUILD_CACHE_MAX_MB: z.coerce.number().int().min(1).default(10240),
  /**
   * Limits of the container a build installs an app's dependencies in (a package built from source
   * runs its own code there): memory (MB), CPUs, processes, and MB it may write (checked as it runs).
   */
  COVE_BUILD_MEMORY_MB: z.coerce.number().int().min(128).default(2048),
  COVE_BUILD_CPUS: z.coerce.number().positive().default(1),
  COVE_BUILD_PIDS_LIMIT: z.coerce.number().int().min(32).default(512),
  COVE_BUILD_DISK_MB: z.coerce.number().int().min(16).default(10240),
  /**
   * When the host has less memory available than this (MB, MemAvailable), frozen apps are stopped,
   * the least recently visited first; 0 never.
   */
  COVE_MEMORY_PRESSURE_MB: z.coerce.number().int().min(0).default(1024),
  /** Fences app containers off the host, private and link-local addresses (iptables; needs root). */
  COVE_APP_FIREWALL: booleanFlag.default(true),
  /** Private IPv4 addresses or CIDRs apps may reach anyway, comma-separated (e.g. a shared database). */
  COVE_APP_FIREWALL_ALLOW: commaSeparated(
    (entry) => ipv4OrCidr.safeParse(entry).success,
    (entry) => `"${entry}" is not an IPv4 address or CIDR (e.g. 10.1.2.3 or 10.1.0.0/16)`,
  ),
  /**
   * The IPv4 range app networks are carved from, one small subnet per app (Docker's own pools hold
   * about 31 networks). Pick a range the host's LAN and routes do not use.
   */
  COVE_APP_SUBNETS: z.string().default('10.213.0.0/16'),
  /** The prefix length of each app's subnet: a /28 holds the gateway and 13 containers. */
  COVE_APP_SUBNET_BITS: z.coerce.number().int().default(28),
  /**
   * Where apps run: `docker`, the engine of COVE_DOCKER_SOCKET (one host), or `swarm`, the services
   * of a Docker Swarm (COVE_SWARM_*). Builds run on COVE_DOCKER_SOCKET's engine either way.
   */
  COVE_RUNTIME: z.enum(['docker', 'swarm']).default('docker'),
  /** A Swarm manager's engine socket (unix:///path or /path). */
  COVE_SWARM_MANAGER_SOCKET: z.string().min(1).optional(),
  /** Every node's engine socket, comma-separated: freezing, memory, OOM kills and output of a task. */
  COVE_SWARM_NODE_SOCKETS: commaSeparated(
    (entry) => /^(unix:\/\/)?\/\S+$/.test(entry),
    (entry) =>
      `"${entry}" is not an engine socket (e.g. unix:///var/run/docker.sock or /var/run/docker.sock)`,
  ),
  /** host:port of the registry every node pulls app images from; the builder pushes them there. */
  COVE_SWARM_REGISTRY: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'host:port of a registry, e.g. 10.0.0.5:5000')
    .optional(),
  COVE_SWARM_REGISTRY_USER: z.string().min(1).optional(),
  COVE_SWARM_REGISTRY_PASSWORD: z.string().min(1).optional(),
  /** Of each app's CPU limit, the share Swarm reserves on the node it runs on (its memory is reserved whole). */
  COVE_SWARM_CPU_RESERVATION: z.coerce.number().min(0).max(1).default(0.25),
  /** How long Swarm may take to place, pull and start an app's task. */
  COVE_SWARM_START_TIMEOUT_SECONDS: z.coerce.number().positive().default(120),
  /**
   * The ACME CA's directory (e.g. https://acme-v02.api.letsencrypt.org/directory); set, the builder
   * keeps a certificate for the dashboard's host and every app's host. Unset: no certificates.
   */
  COVE_ACME_DIRECTORY_URL: z.url().startsWith('https://').optional(),
  /** The contact the CA mails about expiring certificates. */
  COVE_ACME_EMAIL: z.email().optional(),
  /** A PEM file of the CA's own HTTPS root, for a private or test CA (pebble); public CAs need none. */
  COVE_ACME_CA_FILE: z.string().min(1).optional(),
  /**
   * A DNS provider hook for one wildcard certificate of the apps' domain (DNS-01): a URL that takes
   * POST set-txt / clear-txt with {"host","value"}, or a command run as `<command> set|clear <fqdn> <value>`.
   */
  COVE_ACME_DNS_HOOK_URL: z.url().optional(),
  COVE_ACME_DNS_HOOK_COMMAND: z.string().min(1).optional(),
  /** Renew once less than this fraction of a certificate's lifetime is left. */
  COVE_TLS_RENEW_FRACTION: z.coerce
    .number()
    .gt(0)
    .lt(1)
    .default(1 / 3),
  /** The longest the certificate manager waits between two passes. */
  COVE_TLS_CHECK_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  /** After a failed issuance: the first retry's delay, doubling up to the maximum. */
  COVE_TLS_RETRY_BASE_SECONDS: z.coerce.number().positive().default(60),
  COVE_TLS_RETRY_MAX_SECONDS: z.coerce
    .number()
    .positive()
    .default(6 * 3600),
});

function requireSwarmSettings(config: z.infer<typeof builderFields>, context: z.RefinementCtx): void {
  if (config.COVE_RUNTIME !== 'swarm') return;
  const missing: [keyof typeof config, string][] = [
    ['COVE_SWARM_MANAGER_SOCKET', "a Swarm manager's engine socket"],
    ['COVE_SWARM_REGISTRY', 'the registry the nodes pull from (host:port)'],
  ];
  for (const [key, what] of missing) {
    if (config[key] === undefined)
      context.addIssue({ code: 'custom', path: [key], message: `COVE_RUNTIME=swarm needs ${what}` });
  }
  if (config.COVE_SWARM_NODE_SOCKETS.length === 0) {
    context.addIssue({
      code: 'custom',
      path: ['COVE_SWARM_NODE_SOCKETS'],
      message: "COVE_RUNTIME=swarm needs every node's engine socket, comma-separated",
    });
  }
  if (
    (config.COVE_SWARM_REGISTRY_USER === undefined) !==
    (config.COVE_SWARM_REGISTRY_PASSWORD === undefined)
  ) {
    context.addIssue({
      code: 'custom',
      path: ['COVE_SWARM_REGISTRY_PASSWORD'],
      message: 'give both COVE_SWARM_REGISTRY_USER and COVE_SWARM_REGISTRY_PASSWORD, or neither',
    });
  }
}

export const builderConfigSchema = builderFields.superRefine((config, context) => {
  const problem = subnetPoolProblem({
    range: config.COVE_APP_SUBNETS,
    subnetBits: config.COVE_APP_SUBNET_BITS,
  });
  if (problem !== null) context.addIssue({ code: 'custom', path: ['COVE_APP_SUBNETS'], message: problem });
  refuseSharedSite(config, context);
  requireSwarmSettings(config, context);
  if (config.COVE_BACKUP_SCHEDULE !== 'off' && config.COVE_BACKUP_TARGET === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['COVE_BACKUP_TARGET'],
      message: `COVE_BACKUP_SCHEDULE=${config.COVE_BACKUP_SCHEDULE} needs where the backups go: a folder, or restic:<repository>`,
    });
  }
  if (config.COVE_ACME_DNS_HOOK_URL && config.COVE_ACME_DNS_HOOK_COMMAND) {
    context.addIssue({
      code: 'custom',
      path: ['COVE_ACME_DNS_HOOK_COMMAND'],
      message: 'set either COVE_ACME_DNS_HOOK_URL or COVE_ACME_DNS_HOOK_COMMAND, not both',
    });
  }
});

export const proxyConfigSchema = commonConfigSchema
  .extend({
    COVE_PROXY_HOST: z.string().default('127.0.0.1'),
    COVE_PROXY_PORT: z.coerce.number().int().min(0).max(65535).default(4080),
    /** How long a client that is not a browser waits for a sleeping app before a 503 with Retry-After. */
    COVE_WAKE_WAIT_SECONDS: z.coerce.number().positive().default(30),
    /** How often the proxy writes what it saw (requests, open WebSockets) to Redis. */
    COVE_ACTIVITY_FLUSH_MS: z.coerce.number().int().min(50).default(1000),
    /** Proxy processes sharing the port (node:cluster); 1 runs in-process. bench/README.md says why 1. */
    COVE_PROXY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    /** A client's request line and headers must arrive within this (408 otherwise). */
    COVE_PROXY_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().default(20),
    /** A client's whole request, head and body, must arrive within this (an upload included). */
    COVE_PROXY_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
    /** A request body that stalls this long between two bytes is cut off, with its app connection. */
    COVE_PROXY_BODY_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
    /** An app that sends no byte of its answer this long after the request is answered 504 for it. */
    COVE_PROXY_ANSWER_TIMEOUT_SECONDS: z.coerce.number().positive().default(120),
    /** Connections (WebSockets included) one proxy process holds at most; each holds two descriptors. */
    COVE_PROXY_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(8000),
    /** Connections (WebSockets included) one client address may hold open at once, per proxy process. */
    COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
    /**
     * Front proxies (IP addresses, comma-separated) whose X-Forwarded-For/-Proto/-Host/-Port the proxy
     * keeps; from every other peer it sets them itself. Empty: the proxy is the edge.
     */
    COVE_PROXY_TRUSTED_PROXY_ADDRESSES: commaSeparated(
      (entry) => z.union([z.ipv4(), z.ipv6()]).safeParse(entry).success,
      (entry) => `"${entry}" is not an IP address`,
    ),
    /** Where the proxy serves HTTPS (443 in production); unset: plain HTTP only. */
    COVE_PROXY_HTTPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** The HTTPS port in the addresses plain HTTP redirects to, when it differs from the listening one. */
    COVE_PROXY_PUBLIC_HTTPS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** The dashboard's server (e.g. http://127.0.0.1:4100): requests for its host go there. */
    COVE_PROXY_DASHBOARD_UPSTREAM: z.url().startsWith('http://').optional(),
    /**
     * Plain HTTP for a host with a certificate answers 308 to HTTPS. The local set-up turns it off:
     * its browsers and tests keep using plain HTTP beside the HTTPS a local CA signs.
     */
    COVE_PROXY_REDIRECT_TO_HTTPS: booleanFlag.default(true),
    /** Strict-Transport-Security's max-age on HTTPS answers (0 in the local set-up: see above). */
    COVE_HSTS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(31_536_000),
  })
  .refine(
    (config) => config.COVE_PROXY_HEADERS_TIMEOUT_SECONDS <= config.COVE_PROXY_REQUEST_TIMEOUT_SECONDS,
    {
      path: ['COVE_PROXY_HEADERS_TIMEOUT_SECONDS'],
      message: 'must not be longer than COVE_PROXY_REQUEST_TIMEOUT_SECONDS',
    },
  )
  .superRefine(refuseSharedSite);

export const dashboardConfigSchema = commonConfigSchema
  .extend({
    /**
     * Accounts one address may create per hour. Raise it when many people sign up from behind one
     * address (an office NAT), as the local platform does for its browser journeys.
     */
    COVE_SIGNUPS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(10),
    /** Where the dashboard's server (apps/dashboard/server) listens. */
    COVE_DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
    COVE_DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
    /**
     * Front proxies (IP addresses or CIDR ranges, comma-separated) whose X-Forwarded-For tells the
     * client's address for the per-address limits; from every other peer the connection's own address
     * counts. Empty: the dashboard's peer is the client.
     */
    COVE_DASHBOARD_TRUSTED_PROXIES: addressRanges,
  })
  .superRefine(refuseSharedSite);

export type CommonConfig = z.infer<typeof commonConfigSchema>;
export type BuilderConfig = z.infer<typeof builderConfigSchema>;
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;
export type DashboardConfig = z.infer<typeof dashboardConfigSchema>;

/** The keys values may be sealed with: the current one first (new values always use it). */
export function masterKeyRing(config: CommonConfig): string[] {
  return [
    config.COVE_MASTER_KEY,
    ...(config.COVE_PREVIOUS_MASTER_KEY ? [config.COVE_PREVIOUS_MASTER_KEY] : []),
  ];
}

/** The public address of an app, e.g. http://hello.localhost:4080/ */
export function appUrl(config: CommonConfig, appName: string): string {
  const port = config.COVE_APPS_PUBLIC_PORT ? `:${config.COVE_APPS_PUBLIC_PORT}` : '';
  return `${config.COVE_APPS_SCHEME}://${appName}.${config.COVE_APPS_DOMAIN}${port}/`;
}
