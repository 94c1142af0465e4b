// The app firewall on this machine's real iptables: installed once however often a builder starts,
// hooking old-style bridges too, refused loudly when iptables cannot run, and removed without
// touching anyone else's rules. (What it stops is shown by isolation.test.ts.)
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { afterEach, expect, onTestFinished, test } from 'vitest';
import { removeAppFirewall, startAppFirewall } from '../../src/network/firewall';
import { appBridgePrefix, firewallChainNames } from '../../src/network/firewall-rules';
import { detectIptables } from '../../src/network/iptables';
import { labelKeys } from '../../src/runtime/types';
import { runtime } from './fixture';

const run = promisify(execFile);
const logger = createLogger('firewall-test', 'silent');
const instance = `t-fw${randomBytes(3).toString('hex')}`;
const chains = firewallChainNames(instance);

function configFor(env: Record<string, string> = {}) {
  return parseConfig(builderConfigSchema, {
    COVE_DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    COVE_REDIS_URL: 'redis://127.0.0.1:1',
    COVE_MASTER_KEY: randomBytes(32).toString('base64'),
    COVE_APPS_DOMAIN: 'localhost',
    COVE_DASHBOARD_URL: 'http://localhost:4100',
    COVE_INSTANCE: instance,
    ...env,
  });
}

async function rulesOf(chain: string): Promise<string[]> {
  const tools = await detectIptables();
  const { stdout } = await run(tools.ipv4.family.binary, ['-w', '10', '-S', chain]);
  return stdout.split('\n').filter((line) => line.startsWith('-A'));
}

async function ourJumps(): Promise<string[]> {
  const hooks = [...(await rulesOf('DOCKER-USER')), ...(await rulesOf('INPUT'))];
  return hooks.filter((line) => line.endsWith(`-j ${chains.forward}`) || line.endsWith(`-j ${chains.input}`));
}

afterEach(() => removeAppFirewall(instance));

test('installs its chains once however often the builder starts, and removal takes only them', async () => {
  for (let start = 0; start < 2; start += 1) {
    const firewall = await startAppFirewall(configFor(), runtime, logger);
    firewall.stop();
    expect(firewall.state).toBe('installed');
  }
  const prefix = appBridgePrefix(instance);
  expect((await ourJumps()).sort()).toEqual(
    [`-A DOCKER-USER -i ${prefix}+ -j ${chains.forward}`, `-A INPUT -i ${prefix}+ -j ${chains.input}`].sort(),
  );
  expect(await rulesOf(chains.forward)).toContain(
    `-A ${chains.forward} -d 169.254.0.0/16 -j ${chains.refuse}`,
  );
  expect(await rulesOf(chains.input)).toContain(`-A ${chains.input} -j ${chains.refuse}`);

  await removeAppFirewall(instance);
  expect(await ourJumps()).toEqual([]);
  await expect(rulesOf(chains.forward)).rejects.toThrow();
  // Docker's own chain is as Docker left it.
  expect(await rulesOf('DOCKER-USER')).toContain('-A DOCKER-USER -j RETURN');
});

test("hooks the instance's networks made before bridges were named by instance", async () => {
  const network = `cove-${instance}-app-legacy`;
  // A subnet of the test's own: Docker's default pools run out on an engine shared with others.
  const subnet = `10.233.${randomBytes(1)[0] ?? 0}.${((randomBytes(1)[0] ?? 0) % 16) * 16}/28`;
  await run('docker', [
    'network',
    'create',
    '--subnet',
    subnet,
    '--label',
    `${labelKeys.instance}=${instance}`,
    network,
  ]);
  onTestFinished(() => runtime.removeNetwork(network));
  const { stdout } = await run('docker', ['network', 'inspect', '--format', '{{.Id}}', network]);
  const bridge = `br-${stdout.trim().slice(0, 12)}`;

  const firewall = await startAppFirewall(configFor(), runtime, logger);
  firewall.stop();
  expect(await ourJumps()).toContain(`-A DOCKER-USER -i ${bridge} -j ${chains.forward}`);
  expect(await ourJumps()).toContain(`-A INPUT -i ${bridge} -j ${chains.input}`);
});

test('a builder that cannot install the firewall refuses to start, and says what to do', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent'; // no iptables to be found
  try {
    await expect(startAppFirewall(configFor(), runtime, logger)).rejects.toThrow(
      /Could not install the firewall for app networks: iptables could not run .*COVE_APP_FIREWALL=false/,
    );
  } finally {
    process.env.PATH = path;
  }
  expect(await ourJumps()).toEqual([]);
});

test('COVE_APP_FIREWALL=false installs nothing', async () => {
  const firewall = await startAppFirewall(configFor({ COVE_APP_FIREWALL: 'false' }), runtime, logger);
  expect(firewall.state).toBe('disabled');
  expect(await ourJumps()).toEqual([]);
});
