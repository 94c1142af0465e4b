// The apps domain in one import: creating, reading, deploying, rebooting and deleting apps, and
// turning push webhooks into deployments. Every tenant function takes the workspace id.
export { createApp, getAppWebhook, rotateWebhookSecret } from './create';
export { cancelDeployment, rollbackDeployment } from './deployment-actions';
export type { AppsDeps } from './deps';
export { webhookUrl } from './deps';
export { followLogLines } from './follow-logs';
export { deleteApp, rebootApp, requestDeployment } from './operations';
export { handlePushWebhook, type WebhookResult } from './push-webhook';
export {
  findApp,
  findDeployment,
  getApp,
  getAppHistory,
  getDeployment,
  listApps,
  listDeployments,
  readDeploymentLogs,
} from './queries';
export { type Actor, deleteSecrets, getSecretKeys, replaceSecrets, revealSecrets } from './secrets';
export { updateApp } from './settings';
export { requestSleep, requestWake } from './sleep';
