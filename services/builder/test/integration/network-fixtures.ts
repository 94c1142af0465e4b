// What the isolation test puts on the machine to aim at: a listener on all of the host's addresses,
// a network namespace behind a veth pair holding a private (10.x) and a link-local address, and a
// container outside Cove (no firewall) showing each is reachable unless the firewall stops it.
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

export interface Target {
  label: string;
  host: string;
  port: number;
}

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** A TCP listener on 0.0.0.0 that greets and hangs up: what any service bound to all addresses is. */
export async function startHostListener(): Promise<Listener> {
  const server = createServer((socket) => {
    socket.on('error', () => {}); // probes hang up at once; a reset is what they do, not a fault
    socket.end('hello\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '0.0.0.0', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the listener has no port');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Whether a TCP connection from this process gets through within the bound. */
export function canConnect(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NamespaceListener {
  privateAddress: string;
  linkLocalAddress: string;
  port: number;
  close(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

const helloServer =
  "const s=require('node:net').createServer(c=>{c.on('error',()=>{});c.end('hello\\n')});" +
  "s.listen(0,'0.0.0.0',()=>console.log('listening '+s.address().port))";

/** Serves the files of the directory given as its argument over HTTP, by name. */
export const fileServer =
  "const fs=require('node:fs'),p=require('node:path');" +
  "const s=require('node:http').createServer((q,r)=>fs.readFile(p.join(process.argv[1],p.basename(q.url)),(e,d)=>{r.statusCode=e?404:200;r.end(e?'':d)}));" +
  "s.listen(0,'0.0.0.0',()=>console.log('listening '+s.address().port))";

/**
 * A namespace reached from the host over a veth pair (10.231.x.y/30), also answering on a
 * 169.254.231.z/32 routed through it; a listener inside (a greeting, or `server`) answers on both.
 * Not 169.254.169.254: a route for it would take this machine's own metadata service away while the
 * test runs.
 */
export async function startNamespaceListener(
  server: { script: string; args: string[] } = { script: helloServer, args: [] },
): Promise<NamespaceListener> {
  const id = randomBytes(3).toString('hex');
  const namespace = `cove-test-${id}`;
  const hostSide = `cvt${id}h`;
  const namespaceSide = `cvt${id}n`;
  const base = `10.231.${randomInt(0, 256)}.${randomInt(0, 64) * 4}`.split('.').map(Number);
  const hostAddress = `10.231.${base[2]}.${(base[3] ?? 0) + 1}`;
  const privateAddress = `10.231.${base[2]}.${(base[3] ?? 0) + 2}`;
  const linkLocalAddress = `169.254.231.${randomInt(1, 255)}`;
  const undo: (() => Promise<unknown>)[] = [];
  // Every step runs even when one fails, so nothing the test made is left behind.
  const close = async () => {
    const failures: unknown[] = [];
    for (const step of undo.reverse()) await step().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, `could not remove all of ${namespace}`);
  };
  try {
    await ip('netns', 'add', namespace);
    undo.push(() => ip('netns', 'delete', namespace));
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', namespaceSide);
    undo.push(() => ip('link', 'delete', hostSide));
    await ip('link', 'set', namespaceSide, 'netns', namespace);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', namespace, 'link', 'set', 'lo', 'up');
    await ip('-n', namespace, 'addr', 'add', `${privateAddress}/30`, 'dev', namespaceSide);
    await ip('-n', namespace, 'addr', 'add', `${linkLocalAddress}/32`, 'dev', namespaceSide);
    await ip('-n', namespace, 'link', 'set', namespaceSide, 'up');
    await ip('-n', namespace, 'route', 'add', 'default', 'via', hostAddress);
    await ip('route', 'add', `${linkLocalAddress}/32`, 'via', privateAddress, 'dev', hostSide);

    const child = spawn(
      'ip',
      ['netns', 'exec', namespace, process.execPath, '-e', server.script, ...server.args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    undo.push(async () => {
      child.kill();
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the namespace's listener exited (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /listening (\d+)/.exec(chunk.toString());
        if (match?.[1]) resolve(Number.parseInt(match[1], 10));
      });
    });
    return { privateAddress, linkLocalAddress, port, close };
  } catch (error) {
    await close().catch(() => undefined); // the first failure is the one worth reporting
    throw error;
  }
}

const probeScript = `
import json, socket, sys
def gateway():
    for row in open("/proc/net/route").read().splitlines()[1:]:
        fields = row.split()
        if fields[1] == "00000000":
            return socket.inet_ntoa(int(fields[2], 16).to_bytes(4, "little"))
for target in json.loads(sys.argv[1]):
    host = gateway() if target["host"] == "GATEWAY" else target["host"]
    try:
        socket.create_connection((host, target["port"]), timeout=3).close()
        reached = True
    except OSError:
        reached = False
    print(json.dumps({"label": target["label"], "reached": reached}), flush=True)
`;

const probeLine = z.object({ label: z.string(), reached: z.boolean() });

/**
 * A plain network with a subnet of the test's own (10.232/16), not from Docker's default pools: on
 * an engine shared with others those run out at about 31 networks. An overlap is refused by the
 * engine; another subnet is tried.
 */
async function createControlNetwork(network: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const subnet = `10.232.${randomInt(0, 256)}.${randomInt(0, 16) * 16}/28`;
    try {
      await run('docker', ['network', 'create', '--subnet', subnet, network]);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/**
 * Tries each target from a container on a plain Docker network of the test's own, which no Cove
 * firewall covers: the control showing that what an app cannot reach would be reachable without it.
 * A target's host "GATEWAY" means the container's gateway.
 */
export async function probeFromPlainContainer(
  image: string,
  targets: Target[],
): Promise<Map<string, boolean>> {
  const network = `cove-test-control-${randomBytes(4).toString('hex')}`;
  await createControlNetwork(network);
  try {
    const { stdout } = await run(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        network,
        '--entrypoint',
        'python3',
        image,
        '-c',
        probeScript,
        JSON.stringify(targets),
      ],
      { timeout: 60_000 },
    );
    const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
    return new Map(
      lines.map((line) => probeLine.parse(JSON.parse(line))).map((probe) => [probe.label, probe.reached]),
    );
  } finally {
    await run('docker', ['network', 'rm', network]);
  }
}
