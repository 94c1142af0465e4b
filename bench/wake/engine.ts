// The few Docker Engine API calls the wake benchmark's reference side needs, over the engine's unix
// socket with node:http: the same path the builder's dockerode takes, without a CLI process per call
// (spawning `docker unpause` costs more than the unpause itself).
import { request } from 'node:http';

export interface EngineResponse {
  statusCode: number;
  body: string;
}

export interface Engine {
  call(method: string, path: string, body?: unknown): Promise<EngineResponse>;
  /** Like call, but any status outside 2xx (and 304, "already so") is an error naming the call. */
  expectOk(method: string, path: string, body?: unknown): Promise<EngineResponse>;
}

export function connectEngine(socketPath: string): Engine {
  function call(method: string, path: string, body?: unknown): Promise<EngineResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          socketPath,
          method,
          path: `/v1.41${path}`,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
          timeout: 60_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`docker ${method} ${path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
  return {
    call,
    async expectOk(method, path, body) {
      const response = await call(method, path, body);
      const isOk = (response.statusCode >= 200 && response.statusCode < 300) || response.statusCode === 304;
      if (!isOk) throw new Error(`docker ${method} ${path}: ${response.statusCode} ${response.body.trim()}`);
      return response;
    },
  };
}
