// The cluster tests' one lab (infra/cluster/lab.sh): started once for the whole `cluster` project,
// its keys handed to every test file (inject('cluster')), and removed at the end — after which the
// teardown checks that nothing of it is left on the machine (bridge, veths, namespaces, firewall
// rules, processes, mounts, state), and fails the run when something is.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const labScript = path.join(repoRoot, 'infra/cluster/lab.sh');

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: Record<string, string>;
  }
}

/**
 * The lab the tests use: a name and /24 of its own (COVE_TEST_CLUSTER_NAME, COVE_TEST_CLUSTER_SUBNET),
 * apart from `make cluster-up`'s (COVE_CLUSTER_NAME, 10.231.0.0/24), so both can run at once. Test
 * files of other folders that find it up use it as well.
 */
export function testLabEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    COVE_CLUSTER_NAME: process.env.COVE_TEST_CLUSTER_NAME ?? 'covetest',
    COVE_CLUSTER_SUBNET: process.env.COVE_TEST_CLUSTER_SUBNET ?? '10.230.0.0/24',
  };
}

export function parseEnvFile(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) keys[match[1]] = match[2];
  }
  return keys;
}

async function lab(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(labScript, [command], { env, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  return stdout;
}

/** What is left of a removed lab on this machine, in words; empty when nothing is. */
export async function leftoversOf(cluster: Record<string, string>): Promise<string[]> {
  const found: string[] = [];
  const bridge = cluster.COVE_CLUSTER_BRIDGE ?? '';
  const stateDir = cluster.COVE_CLUSTER_STATE_DIR ?? '';
  const { stdout: links } = await run('ip', ['-o', 'link', 'show']);
  for (const line of links.split('\n')) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (name?.startsWith(bridge)) found.push(`interface ${name}`);
  }
  const namespaces = existsSync('/var/run/netns') ? readdirSync('/var/run/netns') : [];
  for (const ns of (cluster.COVE_CLUSTER_NODE_NAMESPACES ?? '').split(',')) {
    if (namespaces.includes(ns)) found.push(`network namespace ${ns}`);
  }
  for (const table of ['filter', 'nat']) {
    const { stdout: rules } = await run('iptables', ['-t', table, '-S']);
    for (const rule of rules.split('\n')) {
      const chains = (cluster.COVE_CLUSTER_FIREWALL_CHAINS ?? '').split(',');
      if (
        rule.includes(` ${bridge} `) ||
        rule.includes(cluster.COVE_CLUSTER_SUBNET ?? '-') ||
        chains.some((chain) => rule.includes(chain))
      ) {
        found.push(`iptables -t ${table}: ${rule}`);
      }
    }
  }
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // it ended while we looked
    }
    if (commandLine.includes(`${stateDir}/`)) {
      found.push(`process ${pid}: ${commandLine.slice(0, 160)}`);
    }
  }
  for (const mount of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    if (mount.split(' ')[1]?.startsWith(`${stateDir}/`)) found.push(`mount ${mount.split(' ')[1]}`);
  }
  if (existsSync(stateDir)) found.push(`state directory ${stateDir}`);
  return found;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = testLabEnvironment();
  await lab('up', env);
  const cluster = parseEnvFile(await lab('env', env));
  project.provide('cluster', cluster);
  return async () => {
    await lab('down', env);
    const left = await leftoversOf(cluster);
    if (left.length > 0) {
      throw new Error(`lab.sh down left parts of the lab behind:\n  ${left.join('\n  ')}`);
    }
  };
}
