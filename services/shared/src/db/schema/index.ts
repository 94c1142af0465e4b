export * from './apps';
export * from './deployments';
export * from './identity';
export * from './insights';
export * from './lifecycle';
export * from './secrets';
export * from './tls';
