// Running iptables (argument arrays, never a shell) with the variant Docker itself uses: rules in
// the other variant's tables would sit beside Docker's and never see its traffic.
import { spawn } from 'node:child_process';
import type { ChainRules } from './firewall-rules';
import { restoreScript } from './firewall-rules';

const commandTimeoutMs = 15_000;
/** Wait for the xtables lock instead of failing when another process holds it. */
const waitForLock = ['-w', '10'];

export class IptablesError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'IptablesError';
  }
}

interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

function execute(binary: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: commandTimeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    if (child.stdin) {
      // A command that fails before reading its input closes the pipe: its exit code and stderr
      // (reported above) say why, the broken pipe adds nothing.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/** stderr without the nft variant's note that legacy tables exist too. */
function cleanError(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('# Warning'))
    .join(' ')
    .trim();
}

export interface IptablesFamily {
  /** e.g. iptables-nft or ip6tables-legacy */
  binary: string;
  restoreBinary: string;
}

export class Iptables {
  constructor(readonly family: IptablesFamily) {}

  private async run(args: readonly string[], input?: string): Promise<CommandResult> {
    return execute(this.family.binary, args, input);
  }

  private async mustRun(args: readonly string[]): Promise<string> {
    const result = await this.run([...waitForLock, ...args]);
    if (result.exitCode !== 0) {
      throw new IptablesError(
        `${this.family.binary} ${args.join(' ')} failed: ${cleanError(result.stderr) || `exit ${result.exitCode}`}`,
        result.exitCode,
      );
    }
    return result.stdout;
  }

  async hasChain(chain: string): Promise<boolean> {
    const result = await this.run([...waitForLock, '-S', chain]);
    return result.exitCode === 0;
  }

  /** Creates or empties the chains and fills them, atomically; no other chain is touched. */
  async replaceChains(chains: readonly ChainRules[]): Promise<void> {
    const restoreArgs = ['--noflush', ...waitForLock];
    const result = await execute(this.family.restoreBinary, restoreArgs, restoreScript(chains));
    if (result.exitCode !== 0) {
      throw new IptablesError(
        `${this.family.restoreBinary} failed: ${cleanError(result.stderr) || `exit ${result.exitCode}`}`,
        result.exitCode,
      );
    }
  }

  /** Puts the rule first in the chain unless it is there already. Returns whether it was added. */
  async ensureFirst(chain: string, rule: readonly string[]): Promise<boolean> {
    const check = await this.run([...waitForLock, '-C', chain, ...rule]);
    if (check.exitCode === 0) return false;
    await this.mustRun(['-I', chain, '1', ...rule]);
    return true;
  }

  /** Deletes every rule of `chain` that jumps to `target` (and nothing else). */
  async removeJumps(chain: string, target: string): Promise<void> {
    if (!(await this.hasChain(chain))) return;
    const listing = await this.mustRun(['-S', chain]);
    for (const line of listing.split('\n')) {
      const words = line.trim().split(/\s+/);
      if (words[0] !== '-A' || words[1] !== chain) continue;
      if (words.at(-2) !== '-j' || words.at(-1) !== target) continue;
      await this.mustRun(['-D', chain, ...words.slice(2)]);
    }
  }

  /** Empties and deletes a chain of Cove's own; a missing chain is not an error. */
  async removeChain(chain: string): Promise<void> {
    if (!(await this.hasChain(chain))) return;
    await this.mustRun(['-F', chain]);
    await this.mustRun(['-X', chain]);
  }
}

export interface IptablesTools {
  variant: 'nft' | 'legacy' | 'default';
  ipv4: Iptables;
  ipv6: Iptables;
}

function toolsFor(variant: IptablesTools['variant']): IptablesTools {
  const suffix = variant === 'default' ? '' : `-${variant}`;
  return {
    variant,
    ipv4: new Iptables({ binary: `iptables${suffix}`, restoreBinary: `iptables${suffix}-restore` }),
    ipv6: new Iptables({ binary: `ip6tables${suffix}`, restoreBinary: `ip6tables${suffix}-restore` }),
  };
}

/**
 * The variant whose tables hold Docker's DOCKER-USER chain; `iptables` itself when neither does
 * (Docker started with --iptables=false). Throws when iptables cannot run at all.
 */
export async function detectIptables(): Promise<IptablesTools> {
  for (const variant of ['nft', 'legacy'] as const) {
    const tools = toolsFor(variant);
    try {
      if (await tools.ipv4.hasChain('DOCKER-USER')) return tools;
    } catch {
      // This variant is not installed: try the next.
    }
  }
  const tools = toolsFor('default');
  let result: CommandResult;
  try {
    result = await execute('iptables', [...waitForLock, '-S', 'INPUT']);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IptablesError(`iptables could not run (${reason}); is it installed?`, null);
  }
  if (result.exitCode !== 0) {
    throw new IptablesError(
      `iptables could not read the filter table: ${cleanError(result.stderr)}`,
      result.exitCode,
    );
  }
  return tools;
}
