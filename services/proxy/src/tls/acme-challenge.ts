// The CA's HTTP-01 check: GET http://<host>/.well-known/acme-challenge/<token> on port 80 must
// answer the key authorization. The builder's certificate manager put it in Redis, so whichever
// proxy replica the CA reaches answers it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@cove/shared/logs/logger';
import { readHttp01Answer } from '@cove/shared/tls/challenges';
import { acmeChallengePathPrefix } from '@cove/shared/tls/keys';
import type { Redis } from 'ioredis';

export function isAcmeChallenge(request: IncomingMessage): boolean {
  return request.url?.startsWith(acmeChallengePathPrefix) === true;
}

export function answerAcmeChallenge(
  request: IncomingMessage,
  response: ServerResponse,
  redis: Redis,
  instance: string,
  logger: Logger,
): void {
  const token = (request.url ?? '').slice(acmeChallengePathPrefix.length).split('?')[0] ?? '';
  const reply = (statusCode: number, body: string) =>
    response
      .writeHead(statusCode, {
        'content-type': 'text/plain',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
      })
      .end(body);
  // The body of the request, if any, is not wanted.
  request.resume();
  readHttp01Answer(redis, instance, token).then(
    (answer) => (answer === null ? reply(404, 'No such challenge.\n') : reply(200, answer)),
    (error: unknown) => {
      logger.error({ err: error }, 'could not read an ACME challenge answer');
      reply(503, 'Challenge answers are unavailable.\n');
    },
  );
}
