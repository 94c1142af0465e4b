import { uploadDeploymentResponse } from '@cove/shared/contracts/api';
import { deployUpload, uploadBodyLimitBytes, uploadTooLargeMessage } from '@cove/shared/uploads/deploy';
import { authenticate, readBytes, reply, route } from '../../../../../../lib/server/http';

/** The body is a tar archive of the folder (gzipped or not); ?mainFile= may change the main file. */
export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const archive = await readBytes(
    request,
    uploadBodyLimitBytes(context.config),
    uploadTooLargeMessage(context.config),
  );
  const { status, body } = await deployUpload(
    context,
    principal.workspaceId,
    params.name,
    archive,
    query,
    principal.userId,
  );
  return reply(uploadDeploymentResponse, body, status);
});
