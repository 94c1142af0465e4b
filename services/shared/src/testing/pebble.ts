// A real ACME CA for tests: Debian's pebble and pebble-challtestsrv on 127.0.0.1, on free ports.
// challtestsrv is pebble's DNS (every name resolves to 127.0.0.1; TXT records are set through its
// management API, the DNS hook of DNS-01 tests). pebble checks HTTP-01 on the port given, where the
// proxy under test listens. Its issuing root comes from its management API.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait';

const run = promisify(execFile);

export interface Pebble {
  directoryUrl: string;
  /** The PEM of pebble's own HTTPS (give it to the ACME client: COVE_ACME_CA_FILE). */
  serverCaFile: string;
  /** challtestsrv's management API: the DNS hook (POST set-txt / clear-txt). */
  challengeServerUrl: string;
  /** challtestsrv's DNS server (host:port), the resolver pebble uses. */
  dnsServer: string;
  /** The root that signs the certificates pebble issues (new at every start). */
  issuingRootPem(): Promise<string>;
  /** Stops pebble alone (the CA is down); start() brings it back on the same ports. */
  stopCa(): Promise<void>;
  startCa(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startPebble(options: {
  /** Where pebble sends HTTP-01 checks: the proxy's plain HTTP port. */
  httpChallengePort: number;
  /** Lifetime of the certificates it issues (pebble's default is about five years). */
  certificateValiditySeconds?: number;
}): Promise<Pebble> {
  const directory = await mkdtemp(join(tmpdir(), 'cove-pebble-'));
  const [acmePort, managementPort, dnsPort, challengeManagementPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const certificateFile = join(directory, 'pebble.pem');
  const keyFile = join(directory, 'pebble.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=pebble test server',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    certificateFile,
  ]);
  const serverCa = await readFile(certificateFile, 'utf8');
  const configFile = join(directory, 'pebble-config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: certificateFile,
        privateKey: keyFile,
        httpPort: options.httpChallengePort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.certificateValiditySeconds === undefined
          ? {}
          : { certificateValidityPeriod: options.certificateValiditySeconds }),
      },
    }),
  );
  const challengeServer = spawn(
    'pebble-challtestsrv',
    [
      '-management',
      `127.0.0.1:${challengeManagementPort}`,
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
    ],
    { stdio: 'ignore' },
  );
  const challengeServerUrl = `http://127.0.0.1:${challengeManagementPort}/`;
  let ca: ChildProcess | undefined;
  const startCa = async () => {
    ca = spawn('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], {
      stdio: 'ignore',
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    });
    await waitFor(async () => (await get(`https://127.0.0.1:${acmePort}/dir`, serverCa)).status === 200, {
      timeoutMs: 15_000,
      description: 'pebble to answer',
    });
  };
  try {
    await waitFor(
      async () =>
        (await fetch(`${challengeServerUrl}clear-txt`, { method: 'POST', body: '{"host":"x."}' })).ok,
      { timeoutMs: 15_000, description: 'pebble-challtestsrv to answer' },
    );
    await startCa();
  } catch (error) {
    await stopProcess(ca);
    await stopProcess(challengeServer);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    serverCaFile: certificateFile,
    challengeServerUrl,
    dnsServer: `127.0.0.1:${dnsPort}`,
    async issuingRootPem() {
      const response = await get(`https://127.0.0.1:${managementPort}/roots/0`, serverCa);
      if (response.status !== 200) throw new Error(`pebble's root: ${response.status}`);
      return response.body;
    },
    stopCa: () => stopProcess(ca),
    startCa,
    async close() {
      await stopProcess(ca);
      await stopProcess(challengeServer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
