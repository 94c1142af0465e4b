import { findDeployment, followLogLines } from '@cove/shared/apps/service';
import { logStreamQuery } from '@cove/shared/contracts/api';
import { parseInput } from '@cove/shared/contracts/validation';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { authenticate, route } from '../../../../../../../../lib/server/http';
import { logEventStream } from '../../../../../../../../lib/server/log-event-stream';

export const GET = route<{ name: string; id: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const query = parseInput(logStreamQuery, Object.fromEntries(new URL(request.url).searchParams));
  const deployment = await findDeployment(context.db, principal.workspaceId, params.name, params.id);
  if (!query.follow) {
    const lines = await readLogLines(context.db, deployment.id, query.stream);
    return new Response(lines.map((entry) => `${entry.line}\n`).join(''), {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const lastEventId = Number(request.headers.get('last-event-id') ?? 0);
  const afterId = Number.isSafeInteger(lastEventId) ? lastEventId : 0;
  const follow = { db: context.db, redis: context.redis, instance: context.config.COVE_INSTANCE };
  const openLines = (signal: AbortSignal) =>
    followLogLines(follow, deployment.id, query.stream, { afterId, signal });
  return logEventStream(openLines, {
    signal: request.signal,
    onError: (error) =>
      context.logger.error({ err: error, deploymentId: deployment.id }, 'log stream failed'),
  });
});
