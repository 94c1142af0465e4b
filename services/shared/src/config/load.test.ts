import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { parseConfig } from './load';
import {
  appUrl,
  builderConfigSchema,
  commonConfigSchema,
  dashboardConfigSchema,
  proxyConfigSchema,
} from './schemas';

const valid = {
  COVE_DATABASE_URL: 'postgres://postgres@127.0.0.1:55432/cove',
  COVE_REDIS_URL: 'redis://127.0.0.1:56379',
  COVE_MASTER_KEY: randomBytes(32).toString('base64'),
  COVE_APPS_DOMAIN: 'localhost',
  COVE_APPS_SCHEME: 'http',
  COVE_APPS_PUBLIC_PORT: '4080',
  COVE_DASHBOARD_URL: 'http://localhost:4100',
};

test('applies defaults and builds app addresses', () => {
  const config = parseConfig(builderConfigSchema, valid);
  expect(config.COVE_INSTANCE).toBe('local');
  expect(config.COVE_GIT_ALLOWED_SCHEMES).toEqual(['https', 'git']);
  expect(config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES).toBe(false);
  expect(appUrl(config, 'hello')).toBe('http://hello.localhost:4080/');
});

test('names each missing or invalid variable in one line', () => {
  const { COVE_DATABASE_URL: _missing, ...rest } = valid;
  expect(() => parseConfig(commonConfigSchema, { ...rest, COVE_MASTER_KEY: 'short' })).toThrow(
    /COVE_DATABASE_URL is missing.*COVE_MASTER_KEY is invalid: must be 32 bytes/,
  );
});

test('the app firewall is on by default and takes a list of private destinations to allow', () => {
  const defaults = parseConfig(builderConfigSchema, valid);
  expect(defaults.COVE_APP_FIREWALL).toBe(true);
  expect(defaults.COVE_APP_FIREWALL_ALLOW).toEqual([]);
  const configured = parseConfig(builderConfigSchema, {
    ...valid,
    COVE_APP_FIREWALL: 'false',
    COVE_APP_FIREWALL_ALLOW: '10.1.2.3, 192.168.0.0/16',
  });
  expect(configured.COVE_APP_FIREWALL).toBe(false);
  expect(configured.COVE_APP_FIREWALL_ALLOW).toEqual(['10.1.2.3', '192.168.0.0/16']);
  expect(() => parseConfig(builderConfigSchema, { ...valid, COVE_APP_FIREWALL_ALLOW: 'db.lan' })).toThrow(
    /COVE_APP_FIREWALL_ALLOW is invalid: "db.lan" is not an IPv4 address or CIDR/,
  );
});

test('app networks are carved from a range of their own, checked at start-up', () => {
  const defaults = parseConfig(builderConfigSchema, valid);
  expect(defaults.COVE_APP_SUBNETS).toBe('10.213.0.0/16');
  expect(defaults.COVE_APP_SUBNET_BITS).toBe(28);
  expect(() => parseConfig(builderConfigSchema, { ...valid, COVE_APP_SUBNETS: '10.213.7.0/16' })).toThrow(
    /COVE_APP_SUBNETS is invalid: .*did you mean 10\.213\.0\.0\/16/,
  );
  expect(() => parseConfig(builderConfigSchema, { ...valid, COVE_APP_SUBNET_BITS: '30' })).toThrow(
    /at most 29/,
  );
});

test("the proxy's client bounds have defaults and trusted front proxies are IP addresses", () => {
  const defaults = parseConfig(proxyConfigSchema, valid);
  expect(defaults.COVE_PROXY_HEADERS_TIMEOUT_SECONDS).toBe(20);
  expect(defaults.COVE_PROXY_REQUEST_TIMEOUT_SECONDS).toBe(300);
  expect(defaults.COVE_PROXY_BODY_IDLE_TIMEOUT_SECONDS).toBe(30);
  expect(defaults.COVE_PROXY_ANSWER_TIMEOUT_SECONDS).toBe(120);
  expect(defaults.COVE_PROXY_MAX_CONNECTIONS).toBe(8000);
  expect(defaults.COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS).toBe(256);
  expect(defaults.COVE_PROXY_TRUSTED_PROXY_ADDRESSES).toEqual([]);
  const trusting = parseConfig(proxyConfigSchema, {
    ...valid,
    COVE_PROXY_TRUSTED_PROXY_ADDRESSES: '10.0.0.2, ::1',
  });
  expect(trusting.COVE_PROXY_TRUSTED_PROXY_ADDRESSES).toEqual(['10.0.0.2', '::1']);
  expect(() =>
    parseConfig(proxyConfigSchema, { ...valid, COVE_PROXY_TRUSTED_PROXY_ADDRESSES: 'lb.lan' }),
  ).toThrow(/COVE_PROXY_TRUSTED_PROXY_ADDRESSES is invalid: "lb.lan" is not an IP address/);
  expect(() =>
    parseConfig(proxyConfigSchema, {
      ...valid,
      COVE_PROXY_HEADERS_TIMEOUT_SECONDS: '60',
      COVE_PROXY_REQUEST_TIMEOUT_SECONDS: '30',
    }),
  ).toThrow(
    /COVE_PROXY_HEADERS_TIMEOUT_SECONDS is invalid: must not be longer than COVE_PROXY_REQUEST_TIMEOUT_SECONDS/,
  );
});

test('every process refuses a dashboard on the apps domain or under it, unless the operator allows it', () => {
  const shared = { ...valid, COVE_APPS_DOMAIN: 'apps.example.test' };
  for (const dashboardUrl of ['https://cove.apps.example.test', 'https://apps.example.test']) {
    for (const schema of [builderConfigSchema, proxyConfigSchema, dashboardConfigSchema]) {
      expect(() => parseConfig(schema, { ...shared, COVE_DASHBOARD_URL: dashboardUrl })).toThrow(
        /COVE_DASHBOARD_URL is invalid: .*COVE_APPS_DOMAIN \(apps\.example\.test\).*COVE_ALLOW_SHARED_SITE=true/,
      );
    }
  }
  const allowed = parseConfig(dashboardConfigSchema, {
    ...shared,
    COVE_DASHBOARD_URL: 'https://cove.apps.example.test',
    COVE_ALLOW_SHARED_SITE: 'true',
  });
  expect(allowed.COVE_ALLOW_SHARED_SITE).toBe(true);
  // A host beside the apps domain passes; so does the local layout (localhost for both).
  expect(() =>
    parseConfig(dashboardConfigSchema, { ...shared, COVE_DASHBOARD_URL: 'https://cove.example.test' }),
  ).not.toThrow();
  expect(parseConfig(dashboardConfigSchema, valid).COVE_ALLOW_SHARED_SITE).toBe(false);
});

test("the dashboard's trusted front proxies are addresses or CIDR ranges, none by default", () => {
  const defaults = parseConfig(dashboardConfigSchema, valid);
  expect(defaults.COVE_DASHBOARD_TRUSTED_PROXIES).toEqual([]);
  expect(defaults.COVE_DASHBOARD_HOST).toBe('127.0.0.1');
  expect(defaults.COVE_DASHBOARD_PORT).toBe(4100);
  const trusting = parseConfig(dashboardConfigSchema, {
    ...valid,
    COVE_DASHBOARD_TRUSTED_PROXIES: '10.0.0.2, 172.16.0.0/12, fd00::/8',
  });
  expect(trusting.COVE_DASHBOARD_TRUSTED_PROXIES).toEqual(['10.0.0.2', '172.16.0.0/12', 'fd00::/8']);
  expect(() =>
    parseConfig(dashboardConfigSchema, { ...valid, COVE_DASHBOARD_TRUSTED_PROXIES: '10.0.0.0/40' }),
  ).toThrow(/COVE_DASHBOARD_TRUSTED_PROXIES is invalid: "10.0.0.0\/40" is not an IP address or CIDR range/);
});

test('apps run on Docker by default; the Swarm runtime needs its manager, registry and node sockets', () => {
  expect(parseConfig(builderConfigSchema, valid).COVE_RUNTIME).toBe('docker');
  expect(() => parseConfig(builderConfigSchema, { ...valid, COVE_RUNTIME: 'swarm' })).toThrow(
    /COVE_SWARM_MANAGER_SOCKET is missing \(COVE_RUNTIME=swarm needs a Swarm manager's engine socket\).*COVE_SWARM_REGISTRY is missing.*COVE_SWARM_NODE_SOCKETS is missing/,
  );
  expect(() =>
    parseConfig(builderConfigSchema, {
      ...valid,
      COVE_RUNTIME: 'swarm',
      COVE_SWARM_NODE_SOCKETS: 'tcp://10.0.0.2:2375',
    }),
  ).toThrow(/"tcp:\/\/10.0.0.2:2375" is not an engine socket/);
  const swarm = parseConfig(builderConfigSchema, {
    ...valid,
    COVE_RUNTIME: 'swarm',
    COVE_SWARM_MANAGER_SOCKET: 'unix:///run/lab/manager.sock',
    COVE_SWARM_NODE_SOCKETS: 'unix:///run/lab/manager.sock, /run/lab/worker1.sock',
    COVE_SWARM_REGISTRY: '10.231.0.1:5000',
  });
  expect(swarm.COVE_SWARM_NODE_SOCKETS).toEqual(['unix:///run/lab/manager.sock', '/run/lab/worker1.sock']);
  expect(swarm.COVE_SWARM_CPU_RESERVATION).toBe(0.25);
});
