export * from './apps';
export * from './deployments';
export * from './identity';
export * from './secrets';
