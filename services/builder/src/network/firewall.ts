// Installs the firewall of an instance's app networks (rules in firewall-rules.ts) when the builder
// starts, before any app runs, and keeps it: a periodic pass puts back what a Docker restart or a
// flush took away. Without it an app could reach the host's and the LAN's services.
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { BuilderConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import type { ContainerRuntime } from '../runtime/types';
import { labelKeys } from '../runtime/types';
import {
  appBridgePrefix,
  appFirewallRules,
  type FamilyRules,
  firewallChainNames,
  parseNameservers,
} from './firewall-rules';
import { detectIptables, type Iptables, type IptablesTools } from './iptables';

const keepIntervalMs = 30_000;

export type FirewallState = 'installed' | 'disabled';

export interface AppFirewall {
  readonly state: FirewallState;
  /** Stops keeping the rules; they stay in place, so running apps stay fenced in. */
  stop(): void;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw error;
  }
}

/** The resolvers Docker hands its embedded DNS, found where Docker finds them. */
async function hostNameservers(): Promise<string[]> {
  const configured = parseNameservers(await readIfPresent('/etc/resolv.conf'));
  if (configured.some((address) => !address.startsWith('127.'))) return configured;
  // Only a local stub (systemd-resolved): Docker then reads the upstream list it serves.
  return [...configured, ...parseNameservers(await readIfPresent('/run/systemd/resolve/resolv.conf'))];
}

/** The subnets of the host's own IPv4 interfaces: the LAN it sits on, and its other networks. */
function hostSubnets(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal && address.cidr !== null)
    .map((address) => address.cidr ?? '');
}

async function forwardHook(iptables: Iptables): Promise<string> {
  return (await iptables.hasChain('DOCKER-USER')) ? 'DOCKER-USER' : 'FORWARD';
}

/** Replaces the chains, then hooks them; returns how many hooks were missing. */
async function applyFamily(iptables: Iptables, rules: FamilyRules): Promise<number> {
  await iptables.replaceChains(rules.chains);
  let added = 0;
  for (const jump of rules.jumps) if (await iptables.ensureFirst(jump.chain, jump.rule)) added += 1;
  return added;
}

interface InstallRequest {
  tools: IptablesTools;
  config: BuilderConfig;
  runtime: ContainerRuntime;
}

async function installOnce({ tools, config, runtime }: InstallRequest) {
  const instance = config.COVE_INSTANCE;
  const bridges = await runtime.listBridgeInterfaces({ [labelKeys.instance]: instance });
  const prefix = appBridgePrefix(instance);
  const rules = appFirewallRules({
    instance,
    nameservers: await hostNameservers(),
    allowedDestinations: config.COVE_APP_FIREWALL_ALLOW,
    hostSubnets: hostSubnets(),
    legacyBridges: bridges.filter((bridge) => !bridge.startsWith(prefix)),
    forwardHook: { ipv4: await forwardHook(tools.ipv4), ipv6: await forwardHook(tools.ipv6) },
  });
  const ipv4Added = await applyFamily(tools.ipv4, rules.ipv4);
  let ipv6Error: unknown = null;
  let ipv6Added = 0;
  try {
    ipv6Added = await applyFamily(tools.ipv6, rules.ipv6);
  } catch (error) {
    // Containers get no IPv6 here (app networks are made without it): these rules are a second
    // fence, and a host without ip6tables still has the first.
    ipv6Error = error;
  }
  return { ipv4Added, ipv6Added, ipv6Error };
}

export async function startAppFirewall(
  config: BuilderConfig,
  runtime: ContainerRuntime,
  logger: Logger,
): Promise<AppFirewall> {
  if (!config.COVE_APP_FIREWALL) {
    logger.warn(
      'COVE_APP_FIREWALL is false: app containers can reach services on this host, its network and ' +
        'link-local addresses such as cloud metadata. Use this only where something else fences them in.',
    );
    return { state: 'disabled', stop() {} };
  }
  let tools: IptablesTools;
  try {
    tools = await detectIptables();
    const first = await installOnce({ tools, config, runtime });
    if (first.ipv6Error !== null) {
      logger.warn({ err: first.ipv6Error }, 'the IPv6 part of the app firewall could not be installed');
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not install the firewall for app networks: ${reason}. Without it apps could reach this ` +
        "host's and its network's services. Run the builder as root, on the host's network, with " +
        'iptables installed; or set COVE_APP_FIREWALL=false where something else fences apps in.',
    );
  }
  const chains = firewallChainNames(config.COVE_INSTANCE);
  logger.info({ variant: tools.variant, chains }, 'app firewall installed');

  let isPassRunning = false;
  const timer = setInterval(() => {
    if (isPassRunning) return;
    isPassRunning = true;
    installOnce({ tools, config, runtime })
      .then(({ ipv4Added, ipv6Added }) => {
        if (ipv4Added + ipv6Added > 0) {
          logger.warn({ ipv4Added, ipv6Added }, "the app firewall's hooks had gone; put back");
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'could not check the app firewall'))
      .finally(() => {
        isPassRunning = false;
      });
  }, keepIntervalMs);
  timer.unref();
  return {
    state: 'installed',
    stop() {
      clearInterval(timer);
    },
  };
}

/** Removes an instance's chains and the jumps into them (an uninstall; tests clean up with it). */
export async function removeAppFirewall(instance: string): Promise<void> {
  const tools = await detectIptables();
  const chains = firewallChainNames(instance);
  for (const iptables of [tools.ipv4, tools.ipv6]) {
    for (const hook of ['DOCKER-USER', 'FORWARD', 'INPUT']) {
      await iptables.removeJumps(hook, chains.forward);
      await iptables.removeJumps(hook, chains.input);
    }
    await iptables.removeChain(chains.input);
    await iptables.removeChain(chains.forward);
    await iptables.removeChain(chains.refuse);
  }
}
