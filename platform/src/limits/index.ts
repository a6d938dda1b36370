export * from './token-bucket';
export * from './failed-credentials';
export * from './ip-allowlist';
export * from './rate-limit-headers';
export * from './client-network';
